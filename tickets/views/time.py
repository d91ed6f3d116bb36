"""The ticket page's time panel: log time on its own, remove one's own entry (htmx)."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.core.views import DeskRequest, desk_view
from tickets import selectors, services
from tickets.exceptions import InvalidTicketInput
from tickets.forms import TimeEntryForm
from tickets.models import Ticket
from tickets.views.desk import _render_detail as render_detail


def _panel(
    request: DeskRequest,
    ticket: Ticket,
    *,
    form: TimeEntryForm | None = None,
    status: int = 200,
    editing: tuple[int, TimeEntryForm] | None = None,
) -> HttpResponse:
    return render(
        request,
        "tickets/desk/_time_worked.html",
        {
            "ticket": ticket,
            "time_worked": selectors.time_worked_for_ticket(ticket=ticket),
            "time_form": form or TimeEntryForm(),
            "just_logged": status == 200 and form is None and editing is None,
            "editing_id": editing[0] if editing else None,
            "editing_form": editing[1] if editing else None,
        },
        status=status,
    )


def _saved(form: TimeEntryForm, save: Callable[..., object]) -> bool:
    """Whether `save` ran with the form's minutes, day and note. A bad value goes next to its
    field; a refusal of the act itself (someone else's entry) is left to the refusal
    middleware, which answers in the form's refusal slot."""
    if not form.is_valid():
        return False
    try:
        save(
            minutes=form.cleaned_data["minutes"],
            worked_on=form.cleaned_data["worked_on"],
            note=form.cleaned_data["note"],
        )
    except InvalidTicketInput as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


def _done(request: DeskRequest, ticket: Ticket, message: str) -> HttpResponse:
    if request.htmx:
        return _panel(request, ticket)
    messages.success(request, message)
    return redirect(ticket.get_absolute_url())


@desk_view
@require_POST
def ticket_time_log(request: DeskRequest, number: str) -> HttpResponse:
    """Log minutes worked on the ticket without a reply. A bad value comes back as the form
    with the message next to the field (400); nothing else on the page is touched."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = TimeEntryForm(request.POST)
    if _saved(
        form, lambda **entry: services.time_entry_log(ticket=ticket, agent=request.user, **entry)
    ):
        return _done(request, ticket, f"{form.cleaned_data['minutes']} min logged.")
    status = 400
    if request.htmx:
        return _panel(request, ticket, form=form, status=status)
    # Without htmx: the whole ticket page, this form bound with the messages by its fields.
    return render_detail(request, ticket, status=status, time_form=form)


@desk_view
@require_POST
def ticket_time_correct(request: DeskRequest, number: str, entry_id: int) -> HttpResponse:
    """Correct one's own entry (minutes, day, note) in place; a bad value comes back in that
    entry's form with the message next to the field."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    entry = selectors.time_entry_get_for_user(user=request.user, entry_id=entry_id)
    if entry.ticket_id != ticket.pk:
        raise Http404
    form = TimeEntryForm(request.POST, auto_id=f"id_time{entry.pk}_%s")
    status = 400
    if _saved(
        form,
        lambda **fields: services.time_entry_correct(entry=entry, actor=request.user, **fields),
    ):
        return _done(request, ticket, "Time entry corrected.")
    if request.htmx:
        return _panel(request, ticket, status=status, editing=(entry.pk, form))
    return render_detail(request, ticket, status=status)


@desk_view
@require_POST
def ticket_time_delete(request: DeskRequest, number: str, entry_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    entry = selectors.time_entry_get_for_user(user=request.user, entry_id=entry_id)
    if entry.ticket_id != ticket.pk:
        raise Http404
    # A refusal (someone else's entry) is answered by the refusal middleware in the
    # delete button's slot.
    services.time_entry_delete(entry=entry, actor=request.user)
    return _done(request, ticket, "Time entry removed.")
