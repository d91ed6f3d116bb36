"""Platform pages: health, error pages, and the decorator every desk view wears."""

import functools
import logging
import sys
from typing import TYPE_CHECKING

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularSwaggerView

from itsm.accounts.roles import user_is_staff_member
from itsm.core.redis_client import master_client
from itsm.core.refusals import (
    bad_request_response,
    database_unavailable,
    is_api_request,
    unavailable_response,
)
from itsm.core.rendering import render_markdown

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from itsm.accounts.models import User

logger = logging.getLogger(__name__)


class DeskRequest(HttpRequest):
    """The request a `desk_view` receives, as the type checker should see it: a signed-in
    user (desk_view has checked) and django-htmx's details (its middleware sets them on
    every request). Only an annotation; Django still passes its own HttpRequest."""

    user: "User"
    htmx: "HtmxDetails"


def desk_view(view):
    """Signed-in desk staff only; a requester who wanders in gets the 403 page."""

    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not user_is_staff_member(request.user):
            raise PermissionDenied("The agent workspace is for service desk staff.")
        return view(request, *args, **kwargs)

    return wrapped


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return False, str(exc).splitlines()[0]
    return True, "ok"


def _redis_ok() -> tuple[bool, str]:
    try:
        master_client(timeout=1).ping()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        return False, str(exc).splitlines()[0]
    return True, "ok"


def _workers_ok() -> tuple[bool, str]:
    from itsm.celery import app

    try:
        replies = app.control.ping(timeout=settings.ITSM_HEALTH_WORKER_TIMEOUT)
    except Exception as exc:
        # Redis can die between its own check and this ping; the broker client then raises
        # whatever its transport raises. The health check reports it instead of failing.
        logger.warning("healthz: the worker ping failed: %s", exc)
        return False, f"the worker ping failed: {type(exc).__name__}: {exc}".splitlines()[0]
    if not replies:
        return False, "no Celery worker answered a ping"
    return True, f"{len(replies)} worker(s) answered"


def _workers_live() -> tuple[bool, str]:
    # Read from PostgreSQL, so it answers while Redis is down, and fails a worker that
    # answers pings but has stopped consuming.
    from itsm.core.selectors import worker_liveness_problems

    try:
        problems = worker_liveness_problems(
            queues=settings.CELERY_WORKER_QUEUES,
            max_age_seconds=settings.ITSM_WORKER_STALE_SECONDS,
        )
    except DatabaseError as exc:
        return False, f"unknown: {str(exc).splitlines()[0]}"
    if problems:
        return False, "; ".join(problems)
    return True, f"every queue consumed within {settings.ITSM_WORKER_STALE_SECONDS} s"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of the database, Redis and at least one Celery worker, and that workers
    consume every queue (200 or 503)."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    if checks["redis"][0]:
        checks["celery_worker"] = _workers_ok()
    else:
        # Asking workers goes through Redis; with Redis down there is nobody to ask.
        checks["celery_worker"] = (False, "unknown: Redis is unreachable")
    checks["worker_liveness"] = _workers_live()
    healthy = all(ok for ok, _ in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address no view matches: under /api/ the API's own 404 body, never an HTML page
    (an id such as `1.5` that the router's pattern does not take ends here)."""
    if is_api_request(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "errors/404.html", status=404)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


# What Django's handler400 names for the bad requests it catches before or around a view.
TOO_LARGE = (
    "The request is larger than this service accepts: at most {mb:g} MB besides attached "
    "files. Send less at once."
)
TOO_MANY_FIELDS = "The request has more fields than this service accepts. Send fewer at once."
UNREADABLE = "The request could not be read. Check what was sent and try again."
_SERVER_ERROR_PAGE = (settings.BASE_DIR / "templates" / "errors" / "500.html").read_bytes()


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's answer to a request it refused as suspicious: JSON for the API (never
    Django's bare HTML 400), the product's page for people, and 413 for a body too large."""
    if isinstance(exception, RequestDataTooBig):
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return bad_request_response(
            request, TOO_LARGE.format(mb=mb), status=413, code="request_too_large"
        )
    if isinstance(exception, TooManyFieldsSent):
        return bad_request_response(request, TOO_MANY_FIELDS, code="too_many_fields")
    return bad_request_response(request, UNREADABLE)


def error_500(request: HttpRequest) -> HttpResponse:
    """The last resort: a database outage (raised in a middleware, where no view's handler
    saw it) is a 503; anything else the static 500 page, which needs no database either."""
    error = sys.exception()
    if error is not None and database_unavailable(error):
        return unavailable_response(request)
    if is_api_request(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side; it has been logged.", "code": "error"},
            status=500,
        )
    return HttpResponse(_SERVER_ERROR_PAGE, status=500, content_type="text/html; charset=utf-8")


FAVICON = settings.BASE_DIR / "static" / "favicon.svg"


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page links: our SVG icon."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


_swagger = SpectacularSwaggerView.as_view(url_name="api-schema")


def api_docs(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The API's Swagger UI: people sign in first unless settings.ITSM_PUBLISH_API_SCHEMA
    publishes it (the schema it reads is guarded the same way: ApiSchemaReader)."""
    if not (settings.ITSM_PUBLISH_API_SCHEMA or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    return _swagger(request, *args, **kwargs)


@login_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The editor's Preview tab (htmx): the text rendered by the product's one renderer, the
    same HTML the page will show once it is sent. Reads nothing and writes nothing."""
    text = request.POST.get("text", "")[: settings.ITSM_COMMENT_MAX_CHARS]
    html = render_markdown(text, images="attachments")
    if not html.strip():
        return HttpResponse('<p class="muted">Nothing to preview yet.</p>')
    return HttpResponse(html)
