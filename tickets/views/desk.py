"""The agent workspace: queues, the ticket page and its actions, new tickets for callers."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from itsm.core.exceptions import StaleVersion
from itsm.core.pages import SeekPage
from itsm.core.refusals import (
    errors_into,
    refusal_context,
    refusal_page,
    refusal_status,
    sent_form_id,
)
from itsm.core.views import DeskRequest, desk_view
from knowledge.selectors import article_get_by_number_or_none
from tickets import selectors, services, workflow
from tickets.catalog.selectors import request_answers, request_fulfilment_for_desk
from tickets.choices import PRIORITY_BADGE, STATUS_BADGE, QueueColumn
from tickets.exceptions import InvalidTicketInput
from tickets.filtersets import use_cached_choices
from tickets.forms import (
    AssignForm,
    BulkForm,
    DeskReplyForm,
    DuplicateOfForm,
    LinkForm,
    MacroApplyForm,
    PriorityForm,
    TicketCreateForm,
    TimeEntryForm,
    TransitionForm,
)
from tickets.models import Ticket
from tickets.panels import ticket_panels_for
from tickets.queue_query import queue_view
from tickets.rows import HEADERS, queue_headers

PAGE_SIZES = (25, 50, 100)
# The queue a new agent starts in (after that, their last view: QueuePreference.last_query).
DEFAULT_VIEW = "queue=mine"
# The filter bar's one line: the filters agents use most; the rest sit behind "More filters".
MAIN_FILTERS = ("status", "priority", "team")
MORE_FILTERS = (
    "kind",
    "assignee",
    "unassigned",
    "service",
    "category",
    "channel",
    "older_than_days",
)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", 50))
    except ValueError:
        return 50
    return size if size in PAGE_SIZES else 50


@desk_view
def ticket_queue(request: DeskRequest) -> HttpResponse:
    """A queue (or all tickets) narrowed by the filter bar; rows only when asked by htmx.

    Opened with no query at all, the page goes to the agent's last view (first time: My
    work). Every view shown without a filter error becomes the last view."""
    preference = selectors.queue_preference_for(user=request.user)
    if not request.GET:
        return redirect(
            f"{reverse('tickets:desk-ticket-queue')}?{preference.last_query or DEFAULT_VIEW}"
        )
    queue = request.GET.get("queue") or ""
    queue_shown = queue_view(user=request.user, query=request.GET)
    filterset, filter_errors = queue_shown.filterset, queue_shown.filter_errors
    # The selects draw from cached choice lists; the querysets still validate input.
    use_cached_choices(filterset.form, ("team", "assignee", "service", "category"))
    # Paginator.count would scan the whole filtered set; a seek page never counts.
    page = SeekPage(
        queue_shown.tickets,
        number=request.GET.get("page"),
        size=_page_size(request),
        read=selectors.queue_rows_read,
    )
    query = request.GET.copy()
    query.pop("page", None)
    view = query.urlencode()
    if not filter_errors and view != preference.last_query:
        services.queue_preference_remember_view(user=request.user, query=view)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    unsized = query.copy()
    unsized.pop("page_size", None)
    bulk_form = BulkForm()
    use_cached_choices(bulk_form, ("team",))
    sort = queue_shown.sort
    columns = [c for c in preference.columns if c in HEADERS]
    context = {
        "filterset": filterset,
        "filter_errors": filter_errors,
        "page": page,
        "queue": queue,
        "query": view,
        "unsorted_query": unsorted.urlencode(),
        "unsized_query": unsized.urlencode(),
        "page_sizes": PAGE_SIZES,
        "page_size": _page_size(request),
        "sort": sort,
        "columns": columns,
        "headers": queue_headers(columns, sort=sort),
        "status_badge": STATUS_BADGE,
        "priority_badge": PRIORITY_BADGE,
        "bulk_form": bulk_form,
    }
    status = 400 if filter_errors else 200
    if request.htmx and request.htmx.target == "ticket-table":
        return render(request, "tickets/desk/_ticket_table.html", context, status=status)
    more_active = [
        name for name in MORE_FILTERS if request.GET.get(name, "") not in ("", "unknown")
    ]
    context |= {
        "queues": selectors.queue_counts(user=request.user),
        "saved_filters": selectors.saved_filter_list(owner=request.user),
        "main_filters": [filterset.form[name] for name in MAIN_FILTERS],
        "more_filters": [filterset.form[name] for name in MORE_FILTERS],
        "more_active": len(more_active),
        "filters_open": preference.filters_open or bool(more_active),
        "column_choices": [
            (value, label, value in columns) for value, label in QueueColumn.choices
        ],
    }
    return render(request, "tickets/desk/queue.html", context, status=status)


@desk_view
@require_POST
def queue_preference_save(request: DeskRequest) -> HttpResponse:
    """The column chooser and the "More filters" toggle. A script sends the toggle in the
    background (204); without one, both come back to the queue view they were sent from."""
    fields: dict = {}
    if "filters_open" in request.POST:
        fields["filters_open"] = request.POST["filters_open"] == "1"
    if "columns_sent" in request.POST:
        fields["columns"] = request.POST.getlist("columns")
    try:
        services.queue_preference_update(user=request.user, **fields)
    except InvalidTicketInput as exc:
        if request.htmx:
            return HttpResponse(exc.message, status=400)
        messages.error(request, exc.message)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(_queue_url(request.POST.get("next", "")))


def _queue_url(next_query: str) -> str:
    """The queue with `next_query` (a query string sent back by the page), never elsewhere."""
    return f"{reverse('tickets:desk-ticket-queue')}?{next_query.lstrip('?')[:1000] or DEFAULT_VIEW}"


@desk_view
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:80]
    query = request.POST.get("query", "")[:1000]
    if not name:
        messages.error(request, "Give the filter a name to save it.")
    else:
        services.saved_filter_save(owner=request.user, name=name, query=query)
        messages.success(request, f"Saved the filter “{name}”.")
    return redirect(f"{reverse('tickets:desk-ticket-queue')}?{query}")


def _detail_context(request: HttpRequest, ticket: Ticket, **extra) -> dict:
    watchers = selectors.ticket_watcher_list(ticket=ticket)
    return {
        "ticket": ticket,
        "conversation": selectors.conversation_for(ticket=ticket, user=request.user),
        "order_answers": request_answers(ticket=ticket),
        "related": selectors.related_for(ticket=ticket, user=request.user),
        "transitions": workflow.allowed_transitions(ticket, is_staff=True),
        "status_badge": STATUS_BADGE,
        "priority_badge": PRIORITY_BADGE,
        "reply_form": extra.pop("reply_form", None)
        or DeskReplyForm(initial={"version": ticket.version}),
        "transition_form": extra.pop("transition_form", None)
        or TransitionForm(initial={"version": ticket.version}),
        "assign_form": extra.pop("assign_form", None) or _assign_form(ticket),
        "priority_form": PriorityForm(
            initial={"version": ticket.version, "priority": ticket.priority}
        ),
        "link_form": LinkForm(),
        "sla_badges": selectors.sla_badges(ticket, with_time_left=True),
        "fulfilment": request_fulfilment_for_desk(ticket=ticket),
        "report_attachments": selectors.attachment_list_for_report(
            ticket=ticket, user=request.user
        ),
        "watchers": watchers,
        "is_watching": request.user in watchers,
        "time_worked": selectors.time_worked_for_ticket(ticket=ticket),
        "time_form": extra.pop("time_form", None) or TimeEntryForm(),
        "macro_form": extra.pop("macro_form", None)
        or MacroApplyForm(initial={"version": ticket.version}),
        **extra,
    }


def _assign_form(ticket: Ticket) -> AssignForm:
    form = AssignForm(
        initial={
            "version": ticket.version,
            "team": ticket.assignment_team_id,
            "assignee": ticket.assignee_id,
        }
    )
    use_cached_choices(form, ("team",))
    return form


def _render_detail(request: HttpRequest, ticket: Ticket, status: int = 200, **extra):
    template = (
        "tickets/desk/_ticket_main.html" if request.htmx else "tickets/desk/ticket_detail.html"
    )
    return render(request, template, _detail_context(request, ticket, **extra), status=status)


def panels_drawn(request: HttpRequest, ticket: Ticket) -> dict:
    """The other apps' panels drawn into the page itself (after an edit that can change what
    they show), rather than fetched by the page once it is shown."""
    return {"panels": ticket_panels_for(ticket=ticket, user=request.user), "panels_drawn": True}


@desk_view
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    services.ticket_mark_seen(ticket=ticket, user=request.user)
    return _render_detail(request, ticket)


@desk_view
def ticket_panels(request: HttpRequest, number: str) -> HttpResponse:
    """The panels of the ticket page (known errors, problems, changes near it), which the page
    asks for once it is drawn."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number, whole=False)
    context = {"ticket": ticket, **panels_drawn(request, ticket)}
    return render(request, "tickets/desk/_ticket_panels.html", context)


def _after_write(request: HttpRequest, number: str, message: str) -> HttpResponse:
    messages.success(request, message)
    # The agent's own move shows in their queue counts at once (others' within the TTL).
    selectors.queue_counts_forget(user=request.user)
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    if request.htmx:
        return _render_detail(request, ticket)
    return redirect(ticket.get_absolute_url())


def _refused_on_ticket_page(
    form_id: str, form_name: str = "", form_class: type[forms.Form] | None = None
):
    """The ticket page again when an action is refused (a full-page POST, or a stale
    version): the form that was sent bound to what was typed — carrying the current version
    after a stale one — and the refusal, with what changed, shown in that form's slot."""

    def page(request: HttpRequest, error: Exception, number: str) -> HttpResponse:
        ticket = selectors.ticket_get_for_user(user=request.user, number=number)
        sent = sent_form_id(request) or form_id
        bound = {}
        if request.POST.get("to_me"):
            sent = "assign-to-me-form"
        elif form_class is not None:
            data = request.POST.copy()
            if isinstance(error, StaleVersion):
                data["version"] = str(ticket.version)
            bound[form_name] = form_class(data)
        return _render_detail(
            request,
            ticket,
            status=refusal_status(error),
            refusal=refusal_context(error, form_id=sent),
            **bound,
        )

    return refusal_page(page)


@desk_view
@require_POST
@_refused_on_ticket_page("reply-form", "reply_form", DeskReplyForm)
def ticket_reply(request: DeskRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = DeskReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, ticket, status=400, reply_form=form)
    if form.cleaned_data["minutes"] is not None:
        comment = services.ticket_reply_with_time(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            is_public=form.is_public,
            minutes=form.cleaned_data["minutes"],
            set_status=form.cleaned_data["set_status"] or "",
            resolution_code=form.cleaned_data["resolution_code"] or "",
            files=form.cleaned_data["attachments"],
            expected_version=form.cleaned_data["version"],
        )
        sent = "Reply sent" if comment.is_public else "Work note added"
        return _after_write(request, number, f"{sent}; {form.cleaned_data['minutes']} min logged.")
    if form.cleaned_data["set_status"]:
        services.ticket_reply_and_set(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            set_status=form.cleaned_data["set_status"],
            resolution_code=form.cleaned_data["resolution_code"],
            files=form.cleaned_data["attachments"],
            expected_version=form.cleaned_data["version"],
        )
        return _after_write(request, number, "Reply sent and status set.")
    services.comment_add(
        ticket=ticket,
        author=request.user,
        body=form.cleaned_data["body"],
        is_public=form.is_public,
        files=form.cleaned_data["attachments"],
        expected_version=form.cleaned_data["version"],
    )
    return _after_write(request, number, "Reply sent." if form.is_public else "Work note added.")


@desk_view
@require_POST
@_refused_on_ticket_page("transition-form", "transition_form", TransitionForm)
def ticket_transition(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the new status.")
        return _render_detail(request, ticket, status=400, transition_form=form)
    data = form.cleaned_data
    services.ticket_transition(
        ticket=ticket,
        to_status=data["to_status"],
        actor=request.user,
        expected_version=data["version"],
        on_hold_reason=data["on_hold_reason"],
        resolution_code=data["resolution_code"],
        resolution_notes=data["resolution_notes"],
        reason=data["reason"],
    )
    return _after_write(request, number, "Status updated.")


@desk_view
@require_POST
@_refused_on_ticket_page("assign-form", "assign_form", AssignForm)
def ticket_assign(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = AssignForm(request.POST)
    if request.POST.get("to_me"):
        team = selectors.team_for_assign_to_me(ticket=ticket, user=request.user)
        form = AssignForm(
            {
                "version": request.POST.get("version"),
                "team": team.pk if team else "",
                "assignee": request.user.pk,
            }
        )
    if not form.is_valid():
        messages.error(request, "Choose a team and, optionally, an agent of that team.")
        return _render_detail(request, ticket, status=400, assign_form=form)
    services.ticket_assign(
        ticket=ticket,
        actor=request.user,
        expected_version=form.cleaned_data["version"],
        team=form.cleaned_data["team"],
        assignee=form.cleaned_data["assignee"],
    )
    return _after_write(request, number, "Assignment updated.")


@desk_view
@require_POST
@_refused_on_ticket_page("priority-form")
def ticket_priority(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a priority and say why it differs from the matrix.")
        return _render_detail(request, ticket, status=400)
    services.ticket_set_priority(
        ticket=ticket,
        actor=request.user,
        expected_version=form.cleaned_data["version"],
        priority=form.cleaned_data["priority"],
        reason=form.cleaned_data["reason"],
    )
    return _after_write(request, number, "Priority changed.")


@desk_view
@require_POST
@_refused_on_ticket_page("link-form")
def ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the number of the ticket to link to.")
        return _render_detail(request, ticket, status=400)
    try:
        other = selectors.ticket_get_for_user(user=request.user, number=form.cleaned_data["number"])
    except Exception:
        messages.error(request, f"There is no ticket {form.cleaned_data['number']}.")
        return _render_detail(request, ticket, status=400)
    version = form.cleaned_data["version"]
    if form.cleaned_data["relation"] == "parent":
        services.ticket_link_parent(
            ticket=ticket, parent=other, actor=request.user, expected_version=version
        )
    else:
        services.ticket_mark_duplicate(
            ticket=ticket, duplicate_of=other, actor=request.user, expected_version=version
        )
    return _after_write(request, number, f"Linked to {other.number}.")


@desk_view
@require_POST
def ticket_watch(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    if request.POST.get("watch") == "stop":
        services.ticket_unwatch(ticket=ticket, user=request.user)
        return _after_write(request, number, "You no longer follow this ticket.")
    services.ticket_watch(ticket=ticket, user=request.user)
    return _after_write(request, number, "You now follow this ticket.")


@desk_view
def ticket_article_search(request: HttpRequest, number: str) -> HttpResponse:
    """Articles matching what the agent typed, to link or quote in a reply (htmx partial)."""
    from knowledge.selectors import article_search

    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    query = request.GET.get("q", "").strip()
    articles = article_search(user=request.user, query=query, limit=5) if len(query) >= 3 else []
    return render(
        request,
        "tickets/desk/_article_results.html",
        {"ticket": ticket, "articles": articles, "query": query},
    )


@desk_view
@require_POST
def ticket_article_link(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    article = article_get_by_number_or_none(
        user=request.user, number=request.POST.get("article", "")
    )
    if article is None:
        messages.error(request, "That article does not exist.")
        return _render_detail(request, ticket, status=400)
    unlink = bool(request.POST.get("unlink"))
    write = services.ticket_unlink_article if unlink else services.ticket_link_article
    write(ticket=ticket, article=article, actor=request.user)
    return _after_write(request, number, f"{'Unlinked' if unlink else 'Linked'} {article.number}.")


@desk_view
@require_POST
@_refused_on_ticket_page("article-draft-form")
def ticket_article_draft(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    article = services.article_draft_from_ticket(ticket=ticket, actor=request.user)
    messages.success(
        request, f"Draft {article.number} written from this ticket; an editor will review it."
    )
    return redirect("knowledge:desk-article-edit", number=article.number)


@desk_view
def ticket_suggested_articles(request: HttpRequest, number: str) -> HttpResponse:
    """Articles for this ticket without a search typed (htmx partial, loaded after the page)."""
    ticket = selectors.ticket_get_for_suggestions(user=request.user, number=number)
    articles = selectors.article_list_suggested_for_ticket(ticket=ticket, user=request.user)
    return render(
        request,
        "tickets/desk/_suggested_articles.html",
        {"ticket": ticket, "articles": articles, "id_prefix": "suggested"},
    )


@desk_view
def ticket_similar(request: HttpRequest, number: str) -> HttpResponse:
    """Open and recently resolved tickets like this one (htmx partial, loaded after the page)."""
    ticket = selectors.ticket_get_for_suggestions(user=request.user, number=number)
    similar = selectors.ticket_list_similar(ticket=ticket, user=request.user)
    return render(
        request,
        "tickets/desk/_similar_tickets.html",
        {"ticket": ticket, "similar": similar, "status_badge": STATUS_BADGE},
    )


@desk_view
@require_POST
def ticket_duplicate_of(request: DeskRequest, number: str) -> HttpResponse:
    """ "Mark as duplicate" of a similar ticket: this ticket is resolved as its duplicate.
    A refusal (stale version, itself, a loop) shows in the button's own slot."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number, whole=False)
    form = DuplicateOfForm(request.POST)
    if not form.is_valid():
        raise InvalidTicketInput("Say which ticket this one duplicates.", field="duplicate_of")
    other = selectors.ticket_get_for_user(
        user=request.user, number=form.cleaned_data["duplicate_of"], whole=False
    )
    services.ticket_mark_duplicate(
        ticket=ticket,
        duplicate_of=other,
        actor=request.user,
        expected_version=form.cleaned_data["version"],
    )
    return _after_write(request, number, f"Marked as a duplicate of {other.number} and resolved.")


@desk_view
def ticket_sla(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's SLA badges, polled by htmx so the time left counts down."""
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    return render(
        request,
        "tickets/desk/_sla_badges_fragment.html",
        {"sla_badges": selectors.sla_badges(ticket, with_time_left=True)},
    )


@desk_view
def requester_lookup(request: HttpRequest) -> HttpResponse:
    """<option>s for the caller field: people whose name or email contains what was typed."""
    # The same look-up serves the watchers editor's "add a person" box.
    text = request.GET.get("requester") or request.GET.get("watchers", "")
    people = selectors.requester_search(text=text)
    return render(request, "tickets/desk/_requester_options.html", {"people": people})


@desk_view
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Raise a ticket on behalf of a caller (phone channel by default)."""
    form = TicketCreateForm(request.POST or None, request.FILES or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        files = fields.pop("attachments")
        with errors_into(form) as refusal:
            ticket = services.ticket_create(actor=request.user, files=files, **fields)
            messages.success(request, f"{ticket.number} raised for {ticket.requester}.")
            selectors.queue_counts_forget(user=request.user)
            return redirect(ticket.get_absolute_url())
        status = refusal.status  # 403 for someone who may not raise for others
    return render(request, "tickets/desk/ticket_create.html", {"form": form}, status=status)
