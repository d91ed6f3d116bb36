"""Re-triage on the desk ticket page: inline edits of what a ticket is about, and the lists
that follow another choice (a team's agents).

Every edit goes through `tickets.services.ticket_update` with the version the agent read, the
same use case as PATCH in the API. An edit opens in place (`GET …/edit/<part>/` draws the
editor), is saved with htmx and answers with the whole ticket column, so the priority, the
SLA badges, the timeline and the panels that depend on the ticket (known errors, changes near
it) are drawn again from the saved ticket.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from itsm.core.refusals import errors_into, refusal_context
from itsm.core.views import DeskRequest, desk_view
from tickets import selectors, services
from tickets.forms import TicketEditForm
from tickets.models import Ticket
from tickets.views.desk import _render_detail, panels_drawn

# The parts of the ticket page that open an editor, and the fields each one edits. A
# dependent list is edited with what it depends on (a subcategory with its category, a CI
# with its service, urgency with impact: together they give the priority).
EDIT_PARTS: dict[str, tuple[str, ...]] = {
    "short_description": ("short_description",),
    "description": ("description",),
    "category": ("category", "subcategory"),
    "service": ("service", "ci"),
    "impact": ("impact", "urgency"),
    "requester": ("requester",),
    "channel": ("channel",),
    "watchers": ("watchers",),
}
PART_LABELS = {
    "short_description": "Short description",
    "description": "Description",
    "category": "Category",
    "subcategory": "Subcategory",
    "service": "Service and CI",
    "impact": "Impact and urgency",
    "requester": "Requester",
    "channel": "Channel",
    "watchers": "Watchers",
}


def _fields_of(part: str) -> tuple[str, ...]:
    try:
        return EDIT_PARTS[part]
    except KeyError:
        raise Http404("No such part of a ticket.") from None


def _current(ticket: Ticket, fields: tuple[str, ...]) -> dict:
    if fields == ("watchers",):
        return {"watchers": [user.email for user in selectors.ticket_watcher_list(ticket=ticket)]}
    return {name: getattr(ticket, name) for name in fields}


def _editor_context(part: str, form: TicketEditForm, **extra) -> dict:
    return {
        "editor_part": part,
        "editor_form": form,
        "editor_label": PART_LABELS[part],
        **extra,
    }


@desk_view
@require_http_methods(["GET", "POST"])
def ticket_edit(request: DeskRequest, number: str, part: str) -> HttpResponse:
    """GET: the editor of one part (again, with the dependent list redrawn, when its leader
    changed). POST: save it; a refusal keeps what was typed in the editor."""
    fields = _fields_of(part)
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    url = reverse("tickets:desk-ticket-edit", args=[ticket.number, part])
    if request.method == "POST":
        return _save(request, ticket, part, url)
    initial = {"version": ticket.version, **_current(ticket, fields)}
    # Redrawn after the category or service changed: what the editor held comes along (the
    # version the agent read included), and only the dependent list changes.
    sent = {name: request.GET[name] for name in ("version", *fields) if name in request.GET}
    initial.update(sent)
    form = TicketEditForm(initial=initial, only=fields, refresh_url=url)
    return render(
        request,
        "tickets/desk/_field_editor.html",
        {"ticket": ticket, **_editor_context(part, form)},
    )


def _save(request: DeskRequest, ticket: Ticket, part: str, url: str) -> HttpResponse:
    fields = EDIT_PARTS[part]
    form = TicketEditForm(request.POST, only=fields, refresh_url=url)
    status = 400
    if form.is_valid():
        with errors_into(form) as refusal:
            services.ticket_update(
                ticket=ticket,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **{name: form.cleaned_data[name] for name in fields},
            )
            messages.success(request, f"{PART_LABELS[part]} saved.")
            selectors.queue_counts_forget(user=request.user)
            saved = selectors.ticket_get_for_user(user=request.user, number=ticket.number)
            if request.htmx:
                return _render_detail(request, saved, **panels_drawn(request, saved))
            return redirect(saved.get_absolute_url())
        status = refusal.status
        if refusal.is_stale:
            return _stale(request, ticket, part, form, refusal.error, url)
    if request.htmx:
        response = render(
            request,
            "tickets/desk/_field_editor.html",
            {"ticket": ticket, **_editor_context(part, form)},
            status=status,
        )
        # Only the editor is drawn again: the message sits next to the control it is about,
        # and nothing else on the page (a reply being written) is touched.
        response["HX-Retarget"] = f"#field-{part} .field-editor"
        response["HX-Reswap"] = "innerHTML"
        return response
    return _render_detail(request, ticket, status=status, **_editor_context(part, form))


def _stale(
    request: DeskRequest,
    ticket: Ticket,
    part: str,
    form: TicketEditForm,
    error: Exception | None,
    url: str,
) -> HttpResponse:
    """Someone else saved the ticket first: the page shows it as it is now, with this editor
    still open holding what the agent typed (now carrying the current version) and the box of
    what changed since they opened it. Saving again is then a deliberate choice."""
    current = selectors.ticket_get_for_user(user=request.user, number=ticket.number)
    data = request.POST.copy()
    data["version"] = str(current.version)
    kept = TicketEditForm(data, only=EDIT_PARTS[part], refresh_url=url)
    kept.is_valid()
    return _render_detail(
        request,
        current,
        status=409,
        refusal=refusal_context(error, form_id=f"edit-{part}-form") if error else None,
        **_editor_context(part, kept),
    )


@desk_view
@require_GET
def team_agents(request: DeskRequest) -> HttpResponse:
    """<option>s of the assignment form's agent list for the chosen team (htmx)."""
    agents = selectors.team_agent_choices(team_id=request.GET.get("team"))
    return render(request, "tickets/desk/_assignee_options.html", {"agents": agents})
