"""The desk's canned responses: the list an agent may use (with Edit and Delete where the
scope's rule allows), and the create/edit form."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.core.exceptions import PermissionRefused
from itsm.core.refusals import errors_into, refusal_message
from itsm.core.views import DeskRequest, desk_view
from tickets.canned import selectors, services
from tickets.canned.forms import CannedResponseForm
from tickets.canned.models import CannedResponse
from tickets.canned.rules import may_write_canned


@desk_view
def canned_response_list(request: DeskRequest) -> HttpResponse:
    responses = list(selectors.canned_response_list_for_user(user=request.user))
    for response in responses:
        response.may_write = may_write_canned(  # type: ignore[attr-defined]
            request.user, scope=response.scope, team=response.team, owner_id=response.owner_id
        )
    return render(request, "tickets/canned/canned_list.html", {"responses": responses})


def _form_page(request: DeskRequest, response: CannedResponse | None) -> HttpResponse:
    form = CannedResponseForm.for_response(response, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            with errors_into(form) as refusal:
                if response is None:
                    saved = services.canned_response_create(actor=request.user, **data)
                else:
                    saved = services.canned_response_update(
                        response=response, actor=request.user, **data
                    )
                messages.success(request, f"Canned response “{saved.title}” saved.")
                return redirect("canned:desk-canned-list")
            status = refusal.status
    return render(
        request,
        "tickets/canned/canned_form.html",
        {"form": form, "response": response},
        status=status,
    )


@desk_view
def canned_response_create(request: DeskRequest) -> HttpResponse:
    return _form_page(request, None)


@desk_view
def canned_response_edit(request: DeskRequest, pk: int) -> HttpResponse:
    response = selectors.canned_response_get_for_user(user=request.user, response_id=pk)
    return _form_page(request, response)


@desk_view
@require_POST
def canned_response_delete(request: DeskRequest, pk: int) -> HttpResponse:
    response = selectors.canned_response_get_for_user(user=request.user, response_id=pk)
    try:
        services.canned_response_delete(response=response, actor=request.user)
    except PermissionRefused as error:
        messages.error(request, refusal_message(error))
    else:
        messages.success(request, f"Canned response “{response.title}” deleted.")
    return redirect("canned:desk-canned-list")
