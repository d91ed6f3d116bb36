"""The administrator's privacy page: find a person, download everything about them, erase them."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.accounts.models import User
from itsm.core.exceptions import DomainError
from itsm.core.views import desk_view
from itsm.privacy import selectors, services
from itsm.privacy.forms import EraseConfirmForm


def _person(request: HttpRequest, pk: int) -> User:
    if not request.user.has_perm(services.PRIVACY_PERMISSION):
        raise PermissionDenied("Privacy requests are handled by administrators.")
    try:
        return selectors.person_get_for_privacy(pk=pk)
    except User.DoesNotExist:
        raise Http404("No such person.") from None


@desk_view
def privacy_home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(services.PRIVACY_PERMISSION):
        raise PermissionDenied("Privacy requests are handled by administrators.")
    query = request.GET.get("q", "")
    return render(
        request,
        "privacy/home.html",
        {"query": query, "people": selectors.person_list_for_privacy(query=query)},
    )


@desk_view
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(
        request,
        "privacy/person.html",
        {
            "person": person,
            "holdings": selectors.person_holdings(person=person),
            "is_erased": services.person_is_erased(person),
        },
    )


@desk_view
@require_POST
def person_export(request: HttpRequest, pk: int) -> FileResponse:
    export = services.person_export(actor=cast(User, request.user), person=_person(request, pk))
    # FileResponse streams the temporary file and closes (so removes) it when done.
    return FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type="application/zip"
    )


@desk_view
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = EraseConfirmForm(request.POST or None, person=person)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                summary = services.person_erase(actor=cast(User, request.user), person=person)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Erased: now shown as “{summary.pseudonym}”. {summary.tickets} ticket "
                    f"description(s) and {summary.comments} comment(s) removed, "
                    f"{summary.attachments} file(s) deleted; the tickets and the audit trail "
                    "are kept.",
                )
                return redirect("privacy:person", pk=person.pk)
        status = 400
    return render(
        request,
        "privacy/erase.html",
        {"person": person, "form": form, "holdings": selectors.person_holdings(person=person)},
        status=status,
    )
