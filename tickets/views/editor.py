"""What the Markdown editor asks of a ticket, desk and portal alike: store a pasted image,
and (desk) find and fill canned responses. Answers are JSON for the editor's script; a
refusal is `{"error": …}` with its status, shown under the box."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from itsm.accounts.models import User
from itsm.core.exceptions import DomainError
from itsm.core.refusals import refusal_message, refusal_status
from itsm.core.views import desk_view
from tickets import selectors, services
from tickets.canned import selectors as canned_selectors
from tickets.canned.services import canned_response_fill

TYPEAHEAD_LIMIT = 8


@login_required
@require_POST
def ticket_image_upload(request: HttpRequest, number: str) -> JsonResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image to upload."}, status=400)
    try:
        attachment = services.attachment_upload_inline(
            ticket=ticket, uploader=cast(User, request.user), upload=upload
        )
    except DomainError as error:
        return JsonResponse({"error": refusal_message(error)}, status=refusal_status(error))
    url = reverse("tickets:attachment-download", args=[attachment.pk])
    alt = attachment.original_name.replace("[", "").replace("]", "")
    return JsonResponse({"id": attachment.pk, "url": url, "markdown": f"![{alt}]({url})"})


@desk_view
@require_GET
def ticket_canned_search(request: HttpRequest, number: str) -> JsonResponse:
    """The reply box's type-ahead: responses the agent may use, matching what follows `::`."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    responses = canned_selectors.canned_response_list_for_user(
        user=request.user, text=request.GET.get("q", "")[:100]
    )[:TYPEAHEAD_LIMIT]
    return JsonResponse(
        {
            "results": [
                {
                    "id": response.pk,
                    "title": response.title,
                    "scope": response.get_scope_display(),
                    "url": reverse(
                        "tickets:desk-ticket-canned-fill", args=[ticket.number, response.pk]
                    ),
                }
                for response in responses
            ]
        }
    )


@desk_view
@require_GET
def ticket_canned_fill(request: HttpRequest, number: str, response_id: int) -> JsonResponse:
    """One response with its placeholders filled for this ticket and this agent."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    response = canned_selectors.canned_response_get_for_user(
        user=request.user, response_id=response_id
    )
    return JsonResponse(
        {
            "title": response.title,
            "body": canned_response_fill(
                response=response, ticket=ticket, agent=cast(User, request.user)
            ),
        }
    )
