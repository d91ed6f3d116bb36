"""Refused use cases shown to people: the one mapping of domain errors to HTML answers.

The API maps the same errors in itsm/core/api.py. Here a `DomainError` (or a Django
`ValidationError`) that leaves a desk or portal view becomes a 4xx answer carrying the
service's own message:

- an htmx request gets a fragment swapped into the refusal slot of the form that was sent
  (`components/_refusal_slot.html`, found through the form's id in `HX-Trigger`), so nothing
  the person typed or chose is touched;
- a full-page POST gets the view's page re-rendered with the message, when the view names
  that page with `@refusal_page`, or else the message flashed and a redirect back to the
  page the form was on.

A stale version (409) also lists what changed since the version the person had. A view with
a refusal page re-renders it for a stale htmx request too, so the page shows the current
record with the typed input kept in a form carrying the new version.

Requests the product cannot serve at all are answered here too, in the shape of the
interface that was asked (JSON under /api/, the product's page elsewhere): input no view can
read (a NUL in the address, a body too large: `bad_request_response`) and a database that
cannot be reached (`unavailable_response`: 503 with Retry-After, a static page that needs
neither the database nor a template).
"""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django import db, forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from itsm.audit.selectors import audit_list_since_version
from itsm.core.exceptions import DomainError, StaleVersion

REFUSALS = (DomainError, ValidationError)
# The id htmx sends in HX-Trigger becomes part of a CSS selector; ours are plain words.
_SAFE_ID = re.compile(r"^[A-Za-z][\w-]*$")

type RefusalPage = Callable[..., HttpResponse]


# --- What a refusal says -------------------------------------------------------------------


def refusal_message(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def refusal_status(error: Exception) -> int:
    return error.status_code if isinstance(error, DomainError) else 400


def refusal_context(error: Exception, *, form_id: str = "") -> dict[str, Any]:
    """What `components/_refusal.html` shows: the message and, for a stale version, the
    audit events past the version the person had (who changed what, from → to)."""
    changes = []
    if (
        isinstance(error, StaleVersion)
        and error.record is not None
        and error.expected_version is not None
    ):
        changes = audit_list_since_version(record=error.record, version=error.expected_version)
    return {
        "form_id": form_id,
        "message": refusal_message(error),
        "is_stale": isinstance(error, StaleVersion),
        "changes": changes,
    }


# --- Declaring a view's page ---------------------------------------------------------------


def refusal_page(page: RefusalPage) -> Callable:
    """Name the page a view re-renders when its use case is refused.

    `page(request, error, **url_kwargs)` returns the response. The attribute survives the
    `functools.wraps` of the decorators above it, so the middleware finds it on the resolved
    view.
    """

    def decorate(view: Callable) -> Callable:
        view.refusal_page = page  # type: ignore[attr-defined]
        return view

    return decorate


class FormRefusal:
    """What `errors_into` caught, for the view's status code (200 when nothing was refused)."""

    error: Exception | None = None

    @property
    def status(self) -> int:
        return refusal_status(self.error) if self.error is not None else 200

    @property
    def is_stale(self) -> bool:
        return isinstance(self.error, StaleVersion)


@contextmanager
def errors_into(form: forms.BaseForm) -> Iterator[FormRefusal]:
    """A refusal inside the block becomes the form's own error — on the field the service
    names, else on the form — and the block is left, so the view re-renders the form with
    what was typed. For pages that are a single form (new ticket, edit problem, article)."""
    refusal = FormRefusal()
    try:
        yield refusal
    except DomainError as error:
        refusal.error = error
        form.add_error(error.field if error.field in form.fields else None, error.message)
    except ValidationError as error:
        refusal.error = error
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)


# --- Answers -------------------------------------------------------------------------------


def sent_form_id(request: HttpRequest) -> str:
    """The id of the form htmx sent (its HX-Trigger), or "" for a full-page POST."""
    htmx = getattr(request, "htmx", None)
    trigger = (htmx.trigger if htmx else None) or ""
    return trigger if _SAFE_ID.match(trigger) else ""


def _fragment(request: HttpRequest, error: Exception) -> HttpResponse:
    form_id = sent_form_id(request)
    response = HttpResponse(
        render_to_string(
            "components/_refusal.html", refusal_context(error, form_id=form_id), request=request
        ),
        status=refusal_status(error),
    )
    if form_id:
        response["HX-Retarget"] = f"#{form_id} .refusal"
        response["HX-Reswap"] = "innerHTML"
    else:
        # A control without a form id of its own: the message goes on top of the page.
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "afterbegin"
    if isinstance(error, StaleVersion):
        # static/js/app.js puts the new version into the form that was sent, so sending it
        # again after reading what changed is not refused a second time.
        response["HX-Trigger"] = json.dumps({"itsm:stale": {"version": error.current_version}})
    return response


def _back(request: HttpRequest, error: Exception) -> HttpResponse:
    referer = request.headers.get("referer", "")
    # Only a sent form goes back: a page that is refused when merely opened would send the
    # browser round in circles.
    if request.method == "POST" and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        messages.error(request, refusal_message(error))
        return redirect(referer)
    # No page to go back to (no Referer, or another site's): say it on a page of its own.
    return render(
        request,
        "components/refused.html",
        refusal_context(error),
        status=refusal_status(error),
    )


def refusal_response(request: HttpRequest, error: Exception) -> HttpResponse:
    match = request.resolver_match
    page = getattr(match.func, "refusal_page", None) if match else None
    htmx = bool(getattr(request, "htmx", False))
    if match is not None and page is not None and (not htmx or isinstance(error, StaleVersion)):
        return page(request, error, **match.kwargs)
    if htmx:
        return _fragment(request, error)
    return _back(request, error)


# --- Requests no view can serve ----------------------------------------------------------

# How long a client should wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = (
    "The service desk cannot reach its database just now. Wait a minute and try again; a "
    "create sent with an Idempotency-Key can safely be sent again."
)
# Read once at start-up: the outage page must render with no database and no template engine.
_UNAVAILABLE_PAGE = (settings.BASE_DIR / "templates" / "errors" / "503.html").read_bytes()


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request_response(
    request: HttpRequest, message: str, *, status: int = 400, code: str = "bad_request"
) -> HttpResponse:
    """Input no view could read: `{"detail", "code"}` for the API, the error page elsewhere."""
    if is_api_request(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(request, "errors/400.html", {"message": message}, status=status)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says PostgreSQL cannot be reached (refused, dropped, shutting down).

    A query that failed on a live server (a deadlock, a cancelled statement) has a SQLSTATE
    outside classes 08 and 57P and stays the 500 it is.
    """
    if not isinstance(error, db.OperationalError | db.InterfaceError):
        return False
    sqlstate = getattr(error.__cause__, "pgcode", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After; the page and the JSON need nothing the outage took away."""
    response: HttpResponse
    if is_api_request(request):
        response = JsonResponse(
            {"detail": UNAVAILABLE_MESSAGE, "code": "database_unavailable"}, status=503
        )
    else:
        response = HttpResponse(
            _UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class RefusalMiddleware:
    """Turns a refusal raised out of an HTML view into `refusal_response`, and a database
    outage into the 503 page. DRF views never get here: their exception handler answers
    first (itsm/core/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, REFUSALS):
            return refusal_response(request, exception)
        if database_unavailable(exception):
            return unavailable_response(request)
        return None
