"""The requester's side: report an incident (with article suggestions), follow my tickets,
reply, reopen, withdraw, and rate the service once a ticket is resolved."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from itsm.core.pages import SeekPage
from itsm.core.refusals import errors_into, refusal_message, refusal_page, refusal_status
from knowledge.selectors import article_list_suggested
from tickets import selectors, services
from tickets.choices import STATUS_BADGE, Channel, TicketStatus
from tickets.forms import PortalIncidentForm, ReplyForm
from tickets.models import SatisfactionSurvey, Ticket
from tickets.survey.services import RATING_MAX, RATING_MIN, SURVEY_STATUSES, survey_submit


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    q = selectors.search_text_clean(request.GET.get("q"))
    tickets = selectors.ticket_list_requested_by(
        user=request.user, open_only=show == "open", text=q
    )
    # No COUNT(*): counting every match of a search (a phrase, or the requester's own name,
    # which matches all their tickets) cost more than the page itself (issue #19).
    page = SeekPage(tickets, number=request.GET.get("page"), size=25)
    query = urlencode({"show": show, **({"q": q} if q else {})})
    return render(
        request,
        "tickets/portal/my_tickets.html",
        {"page": page, "show": show, "q": q, "query": query, "status_badge": STATUS_BADGE},
    )


def _with_suggestions(form: PortalIncidentForm) -> PortalIncidentForm:
    """Ask the portal for matching articles while the subject is typed (htmx, debounced)."""
    form.fields["short_description"].widget.attrs.update(
        {
            "hx-get": reverse("portal:suggest"),
            "hx-trigger": "keyup changed delay:400ms, search",
            "hx-target": "#suggestions",
            "hx-sync": "this:replace",
            "autocomplete": "off",
            "aria-controls": "suggestions",
        }
    )
    return form


@login_required
def report_incident(request: HttpRequest) -> HttpResponse:
    looked_up = request.method == "POST" and "suggest" in request.POST
    if looked_up:
        # "Look for articles first" (the no-JavaScript way to see suggestions): show the
        # form again, unvalidated and unsent, with the articles matching the subject.
        form = _with_suggestions(PortalIncidentForm(initial=request.POST.dict()))
    else:
        form = _with_suggestions(PortalIncidentForm(request.POST or None, request.FILES or None))
    if request.method == "POST" and not looked_up and form.is_valid():
        data = form.cleaned_data
        with errors_into(form):
            ticket = services.ticket_create(
                actor=request.user,
                requester=request.user,
                channel=Channel.PORTAL,
                short_description=data["short_description"],
                description=data["description"],
                service=data["service"],
                urgency=data["urgency"],
                impact=3,
                files=data["attachments"],
            )
            messages.success(request, f"Thank you — we received {ticket.number}.")
            return redirect("tickets:portal-ticket-detail", number=ticket.number)
    # Re-displayed with errors: the suggestions render server-side, so they work without JS.
    # The same suggestions as /portal/suggest/: knowledge owns the deflection rules, and the
    # portal shell sits above tickets, so tickets may not import it.
    suggestions = (
        article_list_suggested(
            user=request.user, text=request.POST.get("short_description", "")[:200]
        )
        if request.method == "POST"
        else []
    )
    status = 400 if request.method == "POST" and not looked_up else 200
    return render(
        request,
        "tickets/portal/report_incident.html",
        {"form": form, "suggestions": suggestions, "looked_up": looked_up},
        status=status,
    )


# --- My ticket -------------------------------------------------------------------------


def _reopen_deadline(ticket: Ticket) -> datetime | None:
    """Until when the requester may reopen a resolved ticket (desk policy), else None."""
    if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=services.desk_policy().reopen_window_days)


def _survey_of(ticket: Ticket) -> SatisfactionSurvey | None:
    try:
        return ticket.survey
    except SatisfactionSurvey.DoesNotExist:
        return None


def _portal_detail(request, ticket, *, reply_form=None, survey_error="", status=200):
    is_requester = ticket.requester_id == request.user.pk
    deadline = _reopen_deadline(ticket) if is_requester else None
    return render(
        request,
        "tickets/portal/ticket_detail.html",
        {
            "ticket": ticket,
            "conversation": selectors.conversation_for(ticket=ticket, user=request.user),
            "reply_form": reply_form or ReplyForm(),
            "status_badge": STATUS_BADGE,
            "can_withdraw": ticket.is_open and is_requester,
            "can_reopen": deadline is not None and timezone.now() <= deadline,
            "can_accept": is_requester and ticket.status == TicketStatus.RESOLVED,
            "report_attachments": selectors.attachment_list_for_report(ticket=ticket),
            "reopen_until": deadline,
            "can_rate": is_requester and ticket.status in SURVEY_STATUSES,
            "survey": _survey_of(ticket),
            "ratings": range(RATING_MIN, RATING_MAX + 1),
            "survey_error": survey_error,
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
        with errors_into(form):
            # The portal only ever writes public replies, whatever the form says.
            services.comment_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                is_public=True,
                files=form.cleaned_data["attachments"],
            )
            messages.success(request, "Your reply was added.")
            return redirect("tickets:portal-ticket-detail", number=ticket.number)
    return _portal_detail(request, ticket, reply_form=form, status=400)


@login_required
@require_POST
def ticket_reopen(request: HttpRequest, number: str) -> HttpResponse:
    """The requester says the fix did not hold: back to in progress, within the window."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    deadline = _reopen_deadline(ticket)
    if ticket.requester_id != request.user.pk or deadline is None:
        messages.error(request, "Only a resolved ticket of yours can be reopened.")
    elif timezone.now() > deadline:
        messages.error(
            request,
            "The time to reopen this ticket has passed. Please report a new incident and "
            f"mention {ticket.number}.",
        )
    else:
        reason = (request.POST.get("reason") or "").strip()[:1000]
        services.ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.IN_PROGRESS,
            actor=request.user,
            expected_version=None,
            reason=reason or "Reopened by the requester: the problem is not solved.",
        )
        messages.success(request, f"{ticket.number} was reopened. We will be in touch.")
    return redirect("tickets:portal-ticket-detail", number=ticket.number)


def _survey_refused(request: HttpRequest, error: Exception, number: str) -> HttpResponse:
    """The ticket page again with the survey's refusal shown in the survey box."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    return _portal_detail(
        request, ticket, survey_error=refusal_message(error), status=refusal_status(error)
    )


@login_required
@require_POST
def ticket_accept(request: HttpRequest, number: str) -> HttpResponse:
    """The requester accepts the solution: the ticket closes (the normal transition) and the
    page asks for the satisfaction survey."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    if ticket.requester_id != request.user.pk or ticket.status != TicketStatus.RESOLVED:
        messages.error(request, "Only a resolved ticket of yours can be accepted.")
        return redirect("tickets:portal-ticket-detail", number=ticket.number)
    services.ticket_transition(
        ticket=ticket,
        to_status=TicketStatus.CLOSED,
        actor=request.user,
        expected_version=None,
        reason="The requester accepted the solution.",
    )
    messages.success(request, f"Thank you — {ticket.number} is closed. How did we do?")
    return redirect(reverse("tickets:portal-ticket-detail", args=[ticket.number]) + "#survey")


@login_required
@require_POST
@refusal_page(_survey_refused)
def ticket_survey(request: HttpRequest, number: str) -> HttpResponse:
    """One click on a rating (1–5), with an optional comment. Another person's ticket is 404
    (through the selector); anything the survey refuses is shown on the page with a 400."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    survey_submit(
        ticket=ticket,
        respondent=request.user,
        rating=request.POST.get("rating"),
        comment=request.POST.get("comment", ""),
    )
    messages.success(request, "Thank you for rating our service.")
    return redirect(reverse("tickets:portal-ticket-detail", args=[ticket.number]) + "#survey")


@login_required
@require_POST
def ticket_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    services.ticket_transition(
        ticket=ticket,
        to_status=TicketStatus.CANCELLED,
        actor=request.user,
        expected_version=None,
        reason=request.POST.get("reason") or "Withdrawn by the requester.",
    )
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
