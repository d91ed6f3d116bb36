"""The requester's side: report an incident, follow my tickets, reply, withdraw."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.core.exceptions import DomainError
from tickets import selectors, services
from tickets.choices import OPEN_STATUSES, STATUS_BADGE, Channel, TicketStatus
from tickets.forms import PortalIncidentForm, ReplyForm
from tickets.models import Ticket


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    tickets = Ticket.objects.filter(requester=request.user).select_related("assignment_team")
    if show == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    page = Paginator(tickets.order_by("-created_at"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/portal/my_tickets.html",
        {"page": page, "show": show, "status_badge": STATUS_BADGE},
    )


@login_required
def report_incident(request: HttpRequest) -> HttpResponse:
    form = PortalIncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                requester=request.user,
                channel=Channel.PORTAL,
                short_description=data["short_description"],
                description=data["description"],
                service=data["service"],
                urgency=data["urgency"],
                impact=3,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Thank you — we received {ticket.number}.")
            return redirect("tickets:portal-ticket-detail", number=ticket.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/portal/report_incident.html", {"form": form}, status=status)


def _portal_detail(request, ticket, *, reply_form=None, status=200):
    return render(
        request,
        "tickets/portal/ticket_detail.html",
        {
            "ticket": ticket,
            "conversation": selectors.conversation_for(ticket=ticket, user=request.user),
            "reply_form": reply_form or ReplyForm(),
            "status_badge": STATUS_BADGE,
            "can_withdraw": ticket.is_open and ticket.requester_id == request.user.pk,
        },
        status=status,
    )


@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    return _portal_detail(request, ticket)


@login_required
@require_POST
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            # The portal only ever writes public replies, whatever the form says.
            services.comment_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                is_public=True,
                files=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your reply was added.")
            return redirect("tickets:portal-ticket-detail", number=ticket.number)
    return _portal_detail(request, ticket, reply_form=form, status=400)


@login_required
@require_POST
def ticket_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    try:
        services.ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.CANCELLED,
            actor=request.user,
            expected_version=None,
            reason=request.POST.get("reason") or "Withdrawn by the requester.",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{ticket.number} was withdrawn.")
    return redirect("tickets:portal-ticket-detail", number=ticket.number)


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Always a download, never inline, and never sniffed (stored-XSS through uploads)."""
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
