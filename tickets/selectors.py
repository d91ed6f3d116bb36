"""Reads of the ticket core, each shaped for its page or endpoint.

Every selector starts from `Ticket.objects.visible_to(user)`: access control in one place.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from itsm.accounts.models import Team, User
from itsm.accounts.roles import STAFF_ROLES, user_is_staff_member
from itsm.audit.selectors import audit_list_for_record
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.cache import cached, forget
from knowledge.models import Article
from tickets.choices import OPEN_STATUSES, TicketKind, TicketStatus
from tickets.models import (
    SEARCH_CONFIG,
    Attachment,
    CatalogItem,
    Category,
    Comment,
    QueuePreference,
    SavedFilter,
    SlaClock,
    Ticket,
    TicketArticleLink,
    TicketSeen,
    TimeEntry,
)
from tickets.sla.rules import (
    SLA_BADGE,
    WARNING_PCT,
    SlaMetric,
    SlaState,
    elapsed_at,
    format_business_time,
)

LIST_RELATED = ("requester", "assignee", "assignment_team", "service", "category")
# What the API's ticket representation reads beyond the list columns (TicketSerializer), one
# query each for the whole page. Prefetched, not joined: four more LEFT JOINs (two of them
# back onto the ticket table) cost the planner more than four look-ups by primary key cost
# the database. A subcategory prints as "parent › name", so its parent comes along.
API_PREFETCH = (
    Prefetch("ci", queryset=ConfigurationItem.objects.only("id", "name")),
    Prefetch("parent", queryset=Ticket.objects.order_by().only("id", "number")),
    Prefetch("duplicate_of", queryset=Ticket.objects.order_by().only("id", "number")),
    Prefetch("subcategory", queryset=Category.objects.order_by().select_related("parent")),
    Prefetch("watchers", queryset=User.objects.order_by("email")),
)


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str


QUEUES = [
    Queue("mine", "My work"),
    Queue("team-unassigned", "My teams' unassigned"),
    Queue("breaching", "Breaching soon"),
    Queue("open", "All open"),
    Queue("on-hold", "On hold"),
    Queue("resolved", "Recently resolved"),
    Queue("replied", "Requester replied"),
]
# _queue_filter also knows "team-breaching" and "breached": queues the desk home's panels and
# team counts link to (itsm.dashboards.selectors.home) without a place in the navigation.


def _queue_filter(slug: str, user: Any, team_ids: list[int] | None = None) -> Q:
    if slug == "mine":
        return Q(assignee=user, status__in=OPEN_STATUSES)
    if slug == "team-unassigned":
        # Team ids as a list (not a join through membership) so the partial index on
        # (assignment_team, created_at) for open tickets serves the query.
        if team_ids is None:
            team_ids = list(user.teams.values_list("id", flat=True))
        return Q(assignment_team_id__in=team_ids, assignee__isnull=True, status__in=OPEN_STATUSES)
    if slug == "on-hold":
        return Q(status=TicketStatus.ON_HOLD)
    if slug == "resolved":
        return Q(status=TicketStatus.RESOLVED, resolved_at__gte=timezone.now() - timedelta(days=7))
    if slug == "open":
        return Q(status__in=OPEN_STATUSES)
    if slug == "breaching":
        breaching = Exists(
            SlaClock.objects.filter(ticket=OuterRef("pk")).filter(
                Q(state=SlaState.BREACHED)
                | Q(state=SlaState.RUNNING, due_at__lte=timezone.now() + BREACHING_SOON)
            )
        )
        return Q(breaching, status__in=OPEN_STATUSES)
    if slug == "replied":
        return Q(_requester_replied_unseen(user), assignee=user, status__in=OPEN_STATUSES)
    if slug == "team-breaching":
        if team_ids is None:
            team_ids = list(user.teams.values_list("id", flat=True))
        return Q(
            Q(assignee=user) | Q(assignment_team_id__in=team_ids),
            Exists(_breaching_clocks().filter(ticket=OuterRef("pk"))),
            status__in=OPEN_STATUSES,
        )
    if slug == "breached":
        breached = Exists(SlaClock.objects.filter(ticket=OuterRef("pk"), state=SlaState.BREACHED))
        return Q(breached, status__in=OPEN_STATUSES)
    raise Http404("No such queue.")


def _breaching_clocks() -> QuerySet[SlaClock]:
    """Clocks past their target or due within BREACHING_SOON (open ones: the due index)."""
    return SlaClock.objects.filter(
        Q(state=SlaState.BREACHED)
        | Q(state=SlaState.RUNNING, due_at__lte=timezone.now() + BREACHING_SOON),
        stopped_at__isnull=True,
    )


def _requester_replied_unseen(user: Any) -> Exists:
    """The ticket's requester wrote a public reply after `user` last opened the ticket (or
    `user` never opened it). Evaluated per ticket through the comment index (ticket,
    created_at) and the seen marker's unique key."""
    seen_after = TicketSeen.objects.filter(
        user=user, ticket_id=OuterRef("ticket_id"), seen_at__gte=OuterRef("created_at")
    )
    return Exists(
        Comment.objects.filter(
            ticket=OuterRef("pk"), is_public=True, author_id=OuterRef("requester_id")
        ).filter(~Exists(seen_after))
    )


BREACHING_SOON = timedelta(hours=2)
CLOCKS_FOR_BADGES = Prefetch(
    "sla_clocks",
    queryset=SlaClock.objects.only(
        "id",
        "ticket_id",
        "metric",
        "state",
        "due_at",
        "next_threshold",
        "target_minutes",
        "elapsed",
        "running_since",
        "stopped_at",
    ).order_by("metric"),
)
# The ticket page shows business time left, which needs each running clock's calendar.
CLOCKS_WITH_CALENDARS = Prefetch(
    "sla_clocks",
    queryset=SlaClock.objects.select_related("policy__calendar")
    .prefetch_related("policy__calendar__closed_dates", "policy__calendar__working_intervals")
    .order_by("metric"),
)


def sla_due_annotation() -> Subquery:
    """The earliest due instant of the ticket's running or breached clocks (for sorting by
    SLA). A breached clock's due instant has passed, so ascending this puts breached tickets
    first, then running clocks by time left; paused, stopped or no clocks give NULL (last)."""
    return Subquery(
        SlaClock.objects.filter(
            ticket=OuterRef("pk"), state__in=(SlaState.RUNNING, SlaState.BREACHED)
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )


def ticket_list_for_queue(*, user: Any, queue: str | None) -> QuerySet[Ticket]:
    """Tickets of a desk queue (or all visible ones), with what the rows show joined in."""
    tickets = Ticket.objects.visible_to(user).select_related(*LIST_RELATED)
    if queue:
        tickets = tickets.filter(_queue_filter(queue, user))
    return tickets


# What a queue row shows (tickets.rows): only these columns are read, so a 50-row page moves
# a few kilobytes instead of every column of five joined tables.
DESK_ROW_RELATED = ("requester", "assignee", "assignment_team", "service", "category")
DESK_ROW_FIELDS = (
    "number",
    # The bulk bar sends each selected ticket's version back (tickets.services.queue).
    "version",
    "kind",
    "priority",
    "short_description",
    "status",
    "created_at",
    "updated_at",
    "channel",
    "requester__display_name",
    "requester__email",
    "assignee__display_name",
    "assignee__email",
    "assignment_team__name",
    "service__name",
    "category__name",
)


def ticket_list_for_desk_queue(*, user: Any, queue: str | None) -> QuerySet[Ticket]:
    """The desk's queue rows: the columns the rows show, and the SLA clocks for the badges
    (one more query)."""
    tickets = Ticket.objects.visible_to(user)
    if queue:
        tickets = tickets.filter(_queue_filter(queue, user))
    return (
        tickets.select_related(*DESK_ROW_RELATED)
        .only(*DESK_ROW_FIELDS)
        .prefetch_related(CLOCKS_FOR_BADGES)
    )


def queue_counts(*, user: Any) -> list[tuple[Queue, str]]:
    """Each queue's size for the navigation, capped ("999+") so a huge queue stays cheap.

    One bounded query per queue (LIMIT cap+1 on an indexed filter), never a full count; the
    result is kept for ITSM_QUEUE_COUNT_SECONDS per agent (the desk drops it when the agent
    changes a ticket, so their own moves show at once; others' within that time).
    """
    counts = cached(
        _queue_counts_key(user),
        seconds=settings.ITSM_QUEUE_COUNT_SECONDS,
        compute=lambda: _count_queues(user),
    )
    return [(queue, counts[queue.slug]) for queue in QUEUES]


def queue_counts_forget(*, user: Any) -> None:
    forget(_queue_counts_key(user))


def _queue_counts_key(user: Any) -> str:
    return f"tickets:queue-counts:{user.pk}"


def _count_queues(user: Any) -> dict[str, str]:
    cap = settings.ITSM_QUEUE_COUNT_CAP
    team_ids = list(user.teams.values_list("id", flat=True))
    counts: dict[str, str] = {}
    for queue in QUEUES:
        # COUNT over a LIMITed subquery: Postgres stops after cap+1 index entries.
        bounded = Ticket.objects.filter(_queue_filter(queue.slug, user, team_ids)).order_by()
        n = bounded.values("id")[: cap + 1].count()
        counts[queue.slug] = f"{cap}+" if n > cap else str(n)
    return counts


FILTER_CHOICES_KEY = "tickets:filter-choices:2"  # the shape changed: a new key
FILTER_CHOICES_SECONDS = 3600


def filter_choice_lists() -> dict[str, list[tuple[int, str]]]:
    """(id, label) choices of the queue's filter bar and bulk bar: teams, agents, services,
    top-level categories, and everyone who works on the desk (the declare form's people).
    Small tables read on every queue load, so they are cached until one of them changes
    (tickets.signals drops the cache)."""
    return cached(FILTER_CHOICES_KEY, seconds=FILTER_CHOICES_SECONDS, compute=_filter_choices)


def filter_choices_forget() -> None:
    forget(FILTER_CHOICES_KEY)


def _filter_choices() -> dict[str, list[tuple[int, str]]]:
    from itsm.accounts.models import Team, User
    from itsm.cmdb.models import Service
    from tickets.models import Category

    agents = User.objects.filter(teams__isnull=False).distinct().order_by("display_name", "email")
    desk_people = (
        User.objects.filter(is_active=True, groups__name__in=STAFF_ROLES)
        .distinct()
        .order_by("display_name", "email")
    )
    return {
        "desk_people": [(u.pk, str(u)) for u in desk_people.only("display_name", "email")],
        "team": [(t.pk, str(t)) for t in Team.objects.order_by("name")],
        "assignee": [(u.pk, str(u)) for u in agents.only("display_name", "email")],
        "service": [(s.pk, str(s)) for s in Service.objects.order_by("name").only("name")],
        "category": [(c.pk, str(c)) for c in Category.objects.filter(parent=None).order_by("name")],
    }


def ticket_get_for_user(*, user: Any, number: str, whole: bool = True) -> Ticket:
    """One ticket by number, or 404 — also when it exists but the user may not see it.
    `whole=False` reads the row alone (a fragment that needs only the ticket's own fields).

    Narrow queries rather than one wide one: joining the ticket's eleven relations made
    PostgreSQL spend 4 ms (staff) to 33 ms (a requester: the watchers join and DISTINCT over
    every column) planning for 0.3 ms of execution. The ticket row with its people and team
    plans in a few tenths of a millisecond; the other relations are then read by primary
    key, one query per table that has something to read.
    """
    # get() on the unique number, not first(): first() adds ORDER BY created_at … LIMIT 1,
    # which the planner has to cost against the number's unique index for nothing.
    tickets = Ticket.objects.visible_to(user).filter(number=number.upper())
    if whole:
        tickets = tickets.select_related("requester", "assignee", "assignment_team")
    try:
        ticket = tickets.get()
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None
    if not whole:
        return ticket
    ticket_relations_attach(ticket)
    prefetch_related_objects([ticket], CLOCKS_WITH_CALENDARS)
    return ticket


# Which foreign keys of a ticket point at which table, read together per table.
_TICKET_RELATIONS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (User, ("requester", "assignee", "resolved_by")),
    (Team, ("assignment_team",)),
    (Service, ("service",)),
    (Category, ("category", "subcategory")),
    (ConfigurationItem, ("ci",)),
    (Ticket, ("parent", "duplicate_of")),
    (CatalogItem, ("catalog_item",)),
)


def _relation_is_read(ticket: Ticket, name: str) -> bool:
    return name in ticket._state.fields_cache


def ticket_relations_attach(ticket: Ticket) -> None:
    """Read what `ticket`'s foreign keys point at, one primary-key query per table with a
    value set and not yet read (an empty relation costs nothing), and cache each on the
    ticket. A subcategory's parent comes from the same category read ("Hardware › Laptop")."""
    for model, all_names in _TICKET_RELATIONS:
        names = [name for name in all_names if not _relation_is_read(ticket, name)]
        ids = {getattr(ticket, f"{name}_id") for name in names} - {None}
        if not ids:
            continue
        rows = model._default_manager.order_by().in_bulk(ids)
        for name in names:
            related_id = getattr(ticket, f"{name}_id")
            if related_id is not None and related_id in rows:
                setattr(ticket, name, rows[related_id])
    subcategory = ticket.subcategory
    if subcategory is not None and subcategory.parent_id == ticket.category_id:
        subcategory.parent = ticket.category


def ticket_list_for_api(*, user: Any, kind: str) -> QuerySet[Ticket]:
    """/api/v1/incidents/ and /api/v1/requests/: one ticket kind, with every relation the
    representation shows, watchers included (a fixed number of queries whatever the page
    size)."""
    return (
        Ticket.objects.visible_to(user)
        .select_related(*LIST_RELATED)
        .prefetch_related(*API_PREFETCH)
        .filter(kind=kind)
    )


def ticket_list_by_number(*, user: Any, numbers: list[str]) -> list[Ticket]:
    """The tickets among `numbers` that `user` may see (bulk actions on the queue)."""
    return list(Ticket.objects.visible_to(user).filter(number__in=numbers))


def ticket_list_requested_by(*, user: Any, open_only: bool, text: str = "") -> QuerySet[Ticket]:
    """The portal's "my tickets": those `user` requested (watched ones are not theirs to
    list), newest first, open ones only when `open_only`, matching `text` when given."""
    tickets = Ticket.objects.filter(requester=user).select_related("assignment_team")
    if open_only:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    return ticket_list_matching(tickets=tickets, text=text).order_by("-created_at")


def ticket_watcher_list(*, ticket: Ticket) -> list[User]:
    """Who follows the ticket, by name: the ticket page's watchers field (and, from the same
    list, whether the agent looking at it follows it: one query for both)."""
    return list(ticket.watchers.order_by("display_name", "email"))


def team_agent_list(*, team_id: int | str | None) -> QuerySet[User]:
    """The active members of a team, for the agent list that follows the chosen team (none
    when no team is chosen: an agent is always assigned within a team)."""
    if not str(team_id or "").isdigit():
        return User.objects.none()
    return User.objects.filter(teams__pk=int(str(team_id)), is_active=True).order_by(
        "display_name", "email"
    )


def team_for_assign_to_me(*, ticket: Ticket, user: Any) -> Team | None:
    """The team "assign to me" puts the ticket in: its own team, else the agent's first."""
    return ticket.assignment_team or user.teams.first()


def incident_list_by_number(*, user: Any, numbers: list[str]) -> dict[str, Ticket]:
    """The incidents among `numbers` that `user` may see, keyed by number (one query); a
    number that is missing, not an incident or out of sight is simply absent."""
    return {
        t.number: t
        for t in Ticket.objects.visible_to(user).filter(
            number__in=numbers, kind=TicketKind.INCIDENT
        )
    }


def article_linked_ticket_count(*, article: Article, user: Any) -> int:
    """How many tickets `article` is linked to (the desk article page's "Linked tickets").
    A count over every ticket: the article page is for desk staff, who see them all."""
    return TicketArticleLink.objects.filter(article=article).count()


def comment_list_for_user(*, ticket: Ticket, user: Any) -> QuerySet[Comment]:
    """The ticket's comments `user` may read (work notes for staff only), with their
    authors and attachments (two queries when evaluated)."""
    staff = user_is_staff_member(user)
    attachments = Attachment.objects.order_by("id")
    if not staff:
        attachments = attachments.filter(is_internal=False)
    comments = (
        Comment.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )
    if not staff:
        comments = comments.filter(is_public=True)
    return comments


def conversation_for(*, ticket: Ticket, user: Any) -> list[dict[str, Any]]:
    """The ticket's timeline: comments (public only for requesters) merged with audit events.

    Audit events are shown to staff only; requesters see the public conversation.
    """
    comments = comment_list_for_user(ticket=ticket, user=user)
    staff = user_is_staff_member(user)
    entries: list[dict[str, Any]] = [
        {"kind": "comment", "at": c.created_at, "comment": c} for c in comments
    ]
    if staff:
        entries += [
            {"kind": "event", "at": e.occurred_at, "event": e}
            for e in audit_list_for_record(record=ticket)
            if e.action not in ("reply_added", "work_note_added")
        ]
    return sorted(entries, key=lambda entry: entry["at"])


def related_for(*, ticket: Ticket, user: Any) -> dict[str, list[Any]]:
    visible = Ticket.objects.visible_to(user).only("number", "short_description", "status")
    # Children and duplicates in one read: both point at this ticket.
    linked = list(
        visible.filter(Q(parent=ticket) | Q(duplicate_of=ticket)).only(
            "number", "short_description", "status", "parent_id", "duplicate_of_id"
        )
    )
    return {
        "children": [t for t in linked if t.parent_id == ticket.pk],
        "duplicates": [t for t in linked if t.duplicate_of_id == ticket.pk],
        "articles": list(TicketArticleLink.objects.filter(ticket=ticket).select_related("article")),
        "requester_open": list(
            visible.filter(requester_id=ticket.requester_id, status__in=OPEN_STATUSES).exclude(
                pk=ticket.pk
            )[:5]
        ),
    }


def attachment_list_for_report(*, ticket: Ticket, user: Any = None) -> list[Attachment]:
    """The files sent with the report itself (not with a reply): everyone who sees the
    ticket sees them, apart from the desk's internal copies (the raw e-mail), staff only."""
    attachments = ticket.attachments.filter(comment__isnull=True).order_by("id")
    if user is None or not user_is_staff_member(user):
        attachments = attachments.filter(is_internal=False)
    return list(attachments)


def attachment_get_for_user(*, user: Any, attachment_id: int) -> Attachment:
    """An attachment the user may download: on a ticket they see, and on a public comment
    unless they are staff. Anything else is 404."""
    visible_tickets = Ticket.objects.visible_to(user).values("id")
    attachments = Attachment.objects.filter(ticket_id__in=visible_tickets)
    if not user_is_staff_member(user):
        attachments = attachments.filter(
            Q(comment__isnull=True) | Q(comment__is_public=True), is_internal=False
        )
    try:
        return attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404("No such attachment.") from None


def requester_search(*, text: str, limit: int = 10) -> list[User]:
    """Active people matching a name or email fragment, for the desk's caller look-up."""
    text = text.strip()
    if len(text) < 2:
        return []
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(display_name__icontains=text) | Q(email__icontains=text))
        .only("email", "display_name")
        .order_by("display_name")[:limit]
    )


@dataclass(frozen=True)
class SlaBadge:
    metric: str
    label: str
    state: str  # ok / warning / breached / paused / met / cancelled
    badge: str  # colour class
    due_at: datetime | None
    left: str  # business time left (detail page) or "" (queue rows: the countdown uses due_at)


def sla_badge_state(clock: SlaClock) -> str:
    # From stored fields only (no calendar maths): the sweep fires 75 % before the clock
    # moves its next threshold past it, so a next threshold above 75 means "warning".
    if clock.state == SlaState.RUNNING:
        return "warning" if (clock.next_threshold or 0) > WARNING_PCT else "ok"
    return str(clock.state)


def sla_badges(ticket: Ticket, *, with_time_left: bool = False) -> list[SlaBadge]:
    """Badges for a ticket's SLA clocks (prefetched by the selectors above).

    With `with_time_left` (the ticket page) the business time left is computed from the
    policy's calendar; queue rows show the due instant instead, which costs no query.
    """
    badges = []
    for clock in ticket.sla_clocks.all():
        state = sla_badge_state(clock)
        left = ""
        if with_time_left and clock.state in (SlaState.RUNNING, SlaState.PAUSED):
            left = format_business_time(_time_left(clock))
        badges.append(
            SlaBadge(
                metric=clock.metric,
                label=SlaMetric(clock.metric).label,
                state=state,
                badge=SLA_BADGE.get(state, "neutral"),
                due_at=clock.due_at,
                left=left,
            )
        )
    return badges


def _time_left(clock: SlaClock) -> timedelta:
    from itsm.calendars.selectors import calendar_spec

    # The ticket page prefetches the calendar (CLOCKS_WITH_CALENDARS); a caller that did not
    # pays one read here.
    if not SlaClock.policy.is_cached(clock):
        clock = SlaClock.objects.select_related("policy__calendar").get(pk=clock.pk)
    spec = calendar_spec(clock.policy.calendar)
    used = elapsed_at(
        elapsed=clock.elapsed, running_since=clock.running_since, now=timezone.now(), spec=spec
    )
    return timedelta(minutes=clock.target_minutes) - used


def saved_filter_list(*, owner: Any) -> QuerySet[SavedFilter]:
    """The agent's own saved queue filters, for the queue navigation."""
    return SavedFilter.objects.filter(owner=owner)


def queue_preference_for(*, user: Any) -> QueuePreference:
    """The agent's queue settings; an unsaved default one until they change something."""
    preference = QueuePreference.objects.filter(user=user).first()
    return preference or QueuePreference(user=user)


# --- Text search ----------------------------------------------------------------------
#
# One search for the desk queue, the API's ?q= and the portal's "my tickets". Every kind of
# term is answered from an index, so a word in no ticket costs what a common word costs
# (DESIGN §9, §11):
#   a whole number (INC0001234)   the number's unique index
#   words, phrases ("…"), -word   the weighted full-text vector (GIN ticket_search)
#   a number fragment (01234)     trigrams of the number (GIN ticket_number_trgm)
#   a requester's name or e-mail  the people table, then the requester index
#   a misspelling ("pritner")     when nothing above matches: trigram word similarity on the
#                                 subject (GIN ticket_subject_trgm)

TICKET_NUMBER = re.compile(r"^(INC|REQ)\d{7}$", re.IGNORECASE)
# Three digits at least: shorter fragments have no trigram to look up and match too much.
NUMBER_FRAGMENT = re.compile(r"^(INC|REQ)?\d{3,7}$", re.IGNORECASE)
SEARCH_MAX_LENGTH = 200
# Names and addresses shorter than this match too many people to be meant.
REQUESTER_MIN_LENGTH = 3
REQUESTER_MATCHES = 50
# word_similarity(term, subject) must reach this to count as a misspelling of a subject word.
# Subjects are short and typos there are often swapped letters, which trigrams score low:
# "pritner" is 0.375 to "Printer jam", while 0.35 still keeps "laptp" off "ERP report layout"
# (0.333). pg_trgm's default, 0.6, finds neither typo.
TYPO_MIN_SIMILARITY = 0.35
# A misspelling is looked up among at most this many similar subjects: a typo of a common
# word would otherwise sort every ticket that has the word.
TYPO_CANDIDATES = 500
# Whether a term matches at all is asked of the newest this-many tickets first.
RECENT_PROBE = 1000
# "Relevance" ranks the newest this-many matches; ranking every match of a common word would
# compute the vector of a large share of the table.
RANK_WINDOW = 100


def search_text_clean(text: str | None) -> str:
    # Postgres refuses NUL in text, and nobody types 200 characters into a search box.
    return (text or "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def ticket_list_matching(*, tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`tickets` narrowed to those matching the search term `text` (all of them when it is
    blank), by the rules in the banner above. One query finds the requesters a name or
    address names, one or two tell whether the term matches at all, and when it does not,
    one more reads the tickets whose subject it may be a misspelling of."""
    text = search_text_clean(text)
    if not text:
        return tickets
    if TICKET_NUMBER.match(text):
        return tickets.filter(number=text.upper())
    match = Q(search=_search_query(text))
    if NUMBER_FRAGMENT.match(text):
        # Case-sensitive LIKE on the upper-cased fragment: the trigram index serves LIKE on
        # the column itself, not UPPER(number) as icontains would write it.
        match |= Q(number__contains=text.upper())
    requester_ids = _requester_ids_named(text)
    if requester_ids:
        match |= Q(requester_id__in=requester_ids)
    matches = tickets.filter(match)
    # A common word is almost always among the newest tickets: looking there first costs a
    # few milliseconds, where asking the GIN index builds a bitmap of every ticket with it.
    recent = tickets.order_by("-created_at", "-id").values("pk")[:RECENT_PROBE]
    if _any_row(matches.filter(pk__in=Subquery(recent))) or _any_row(matches):
        return matches
    return _typo_matches(tickets, text)


def _any_row(tickets: QuerySet[Ticket]) -> bool:
    """Whether `tickets` has a row, planned as if every row were wanted.

    Not EXISTS or LIMIT 1 (DESIGN §9): for a word the statistics do not know, the planner
    expects a row early in a sequential scan (or a walk of the date index) and reads the
    whole table when no ticket has the word (0.4 s and 5 s at a million). Planned without
    a limit, a rare word goes to the GIN index and a common one to a scan that stops at its
    first row, because the CTE hands rows over one at a time.
    """
    sql, params = tickets.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH found AS MATERIALIZED ({sql}) SELECT EXISTS (SELECT 1 FROM found)", params
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _requester_ids_named(text: str) -> list[int]:
    if len(text) < REQUESTER_MIN_LENGTH:
        return []
    return list(
        User.objects.filter(Q(display_name__icontains=text) | Q(email__icontains=text))
        .order_by()
        .values_list("id", flat=True)[:REQUESTER_MATCHES]
    )


def _typo_matches(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    # `subject %> term` is served by the trigram index only at pg_trgm's word-similarity
    # threshold, a per-connection setting. Only the typo searches use the operator (here and
    # in knowledge, at its own value), and each sets the threshold right before its query.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TYPO_MIN_SIMILARITY)],
        )
    # Unordered and LIMITed: the bitmap scan stops after TYPO_CANDIDATES similar subjects.
    # Read here, once: a LIMIT without ORDER BY may pick other rows each time it runs, and
    # the relevance sort would run it twice.
    candidates = list(
        tickets.filter(short_description__trigram_word_similar=text)
        .order_by()
        .values_list("pk", flat=True)[:TYPO_CANDIDATES]
    )
    return tickets.filter(pk__in=candidates)


def ticket_list_by_relevance(*, tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Matches of `text` (as ticket_list_matching narrowed `tickets`) best first: the subject
    weighs more than the description, ties go to the newest. Only the newest RANK_WINDOW
    matches are ranked, so a common word costs what a rare one does; sorting by date
    reaches every match."""
    window = tickets.order_by("-created_at", "-id").values("pk")[:RANK_WINDOW]
    # F("search"), the stored weighted vector: given the bare field name, SearchRank would
    # build an unweighted vector of it and the weights would be lost (DESIGN §9).
    return (
        tickets.filter(pk__in=Subquery(window))
        .annotate(rank=SearchRank(F("search"), _search_query(search_text_clean(text))))
        .order_by("-rank", "-created_at", "-id")
    )


# --- Time worked ---

# The ticket page lists the latest entries; the total and the count cover them all.
TIME_ENTRIES_ON_PAGE = 20
TIME_TOTAL_GROUPS = ("ticket", "agent", "team")


@dataclass(frozen=True, slots=True)
class TimeWorked:
    """The ticket page's time panel: the latest entries, and the total over every entry."""

    entries: Sequence[TimeEntry]
    total_minutes: int
    count: int


def time_worked_for_ticket(*, ticket: Ticket, limit: int = TIME_ENTRIES_ON_PAGE) -> TimeWorked:
    """The latest entries with their agents, and the ticket's total, in one query: the total
    and count are window aggregates over every entry, computed before the LIMIT."""
    rows = list(
        TimeEntry.objects.filter(ticket=ticket)
        .select_related("agent")
        .annotate(all_minutes=Window(Sum("minutes")), all_count=Window(Count("id")))[:limit]
    )
    if not rows:
        return TimeWorked(entries=[], total_minutes=0, count=0)
    return TimeWorked(entries=rows, total_minutes=rows[0].all_minutes, count=rows[0].all_count)


def time_entry_list_for_api(*, user: Any) -> QuerySet[TimeEntry]:
    """Time entries on the tickets `user` may see (desk staff: all), with what the API
    representation names (ticket number, agent, team) joined."""
    return TimeEntry.objects.filter(
        ticket__in=Ticket.objects.visible_to(user).values("pk")
    ).select_related("ticket", "agent", "team")


def time_entry_get_for_user(*, user: Any, entry_id: int) -> TimeEntry:
    """One entry on a ticket the user may see; anything else is a 404."""
    try:
        return time_entry_list_for_api(user=user).get(pk=entry_id)
    except (TimeEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True, slots=True)
class TimeTotals:
    """Minutes per group (largest first, at most `limit`), and over every selected entry."""

    groups: list[dict[str, Any]]
    total_minutes: int
    entries: int
    truncated: bool


def time_totals(*, entries: QuerySet[TimeEntry], group_by: str, limit: int) -> TimeTotals:
    """Minutes and entry counts per ticket, agent or team over `entries` (already filtered):
    one GROUP BY query cut at `limit` groups, and one aggregate for the overall total."""
    key, label = {
        "ticket": ("ticket_id", "ticket__number"),
        "agent": ("agent_id", "agent__display_name"),
        "team": ("team_id", "team__name"),
    }[group_by]
    rows = list(
        entries.order_by()
        .values(key, label)
        .annotate(minutes=Sum("minutes"), entries=Count("id"))
        .order_by("-minutes", key)[: limit + 1]
    )
    overall = entries.order_by().aggregate(minutes=Sum("minutes"), entries=Count("id"))
    return TimeTotals(
        groups=[
            {
                "key": row[key],
                "label": row[label] or "",
                "minutes": row["minutes"],
                "entries": row["entries"],
            }
            for row in rows[:limit]
        ],
        total_minutes=overall["minutes"] or 0,
        entries=overall["entries"],
        truncated=len(rows) > limit,
    )


TIME_PER_RESOLVED_GROUPS = {"category": "category__name", "service": "service__name"}


def time_worked_per_resolved_ticket(
    *, tickets_q: Q, start: datetime, end: datetime, group_by: str
) -> list[dict[str, Any]]:
    """For the tickets resolved in [start, end) (still resolved or closed) and matching
    `tickets_q` (the caller's scope and filters): per category or service, how many were
    resolved, how many had time logged, and the minutes logged on them. One query, bounded by
    the period through the partial index on `resolved_at`; the LEFT JOIN to the time entries
    multiplies rows, so tickets are counted distinct."""
    label = TIME_PER_RESOLVED_GROUPS[group_by]
    return list(
        Ticket.objects.filter(
            tickets_q,
            status__in=(TicketStatus.RESOLVED, TicketStatus.CLOSED),
            resolved_at__gte=start,
            resolved_at__lt=end,
        )
        .values(f"{group_by}_id", label)
        .annotate(
            resolved=Count("id", distinct=True),
            with_time=Count("time_entries__ticket_id", distinct=True),
            minutes=Sum("time_entries__minutes"),
        )
        .order_by()
    )


# --- The desk home ------------------------------------------------------------------------
#
# Each panel of the agent's day (itsm.dashboards.home) is one bounded query here: at most
# `limit` rows, from an index that starts at the agent (their open tickets) or at the SLA due
# time, whatever the size of the ticket table.

HOME_ROW_FIELDS = ("number", "kind", "priority", "short_description", "status", "created_at")


def ticket_list_mine_by_sla_due(*, user: Any, limit: int) -> list[Ticket]:
    """The agent's open tickets, the one whose SLA falls due first at the top (breached ones
    first, as their due time has passed), then those without a running clock, newest first.
    `sla_due` is set on each row (None without a running clock).

    Two bounded reads rather than one sort: the open clocks of the agent's tickets by due
    time (a join the planner may start from either side: the clocks' due index or the
    agent's open tickets), then, when those do not fill the panel, the agent's newest other
    open tickets from the open-by-assignee index. Ordering every open ticket of a busy
    agent by a per-ticket subquery would evaluate it thousands of times."""
    mine = Ticket.objects.visible_to(user).filter(_queue_filter("mine", user))
    clocks = (
        SlaClock.objects.filter(
            ticket__in=mine,
            state__in=(SlaState.RUNNING, SlaState.BREACHED),
            stopped_at__isnull=True,
        )
        .select_related("ticket")
        .only(*(f"ticket__{name}" for name in HOME_ROW_FIELDS), "ticket_id", "due_at")
        .order_by("due_at", "id")
    )
    tickets = _tickets_of_clocks(clocks[: limit * 2], limit)
    if len(tickets) < limit:
        rest = mine.exclude(pk__in=[t.pk for t in tickets]).only(*HOME_ROW_FIELDS)
        for ticket in rest.order_by("-created_at", "-id")[: limit - len(tickets)]:
            setattr(ticket, "sla_due", None)  # noqa: B010
            tickets.append(ticket)
    return tickets


def _tickets_of_clocks(clocks: QuerySet[SlaClock], limit: int) -> list[Ticket]:
    """The distinct tickets of `clocks` in their order, each with `sla_due` (its first
    clock's due time; a ticket has up to two clocks, response and resolution)."""
    tickets: dict[int, Ticket] = {}
    for clock in clocks:
        if clock.ticket_id not in tickets:
            # Read by the row as `sla_due`, as an annotation would be.
            setattr(clock.ticket, "sla_due", clock.due_at)  # noqa: B010
            tickets[clock.ticket_id] = clock.ticket
    return list(tickets.values())[:limit]


def ticket_list_breaching_soon(*, user: Any, limit: int) -> list[Ticket]:
    """Open tickets of the agent or of the agent's teams whose SLA is breached or falls due
    within BREACHING_SOON, soonest due first (the "team-breaching" queue).

    Read from the clocks' due index, not from the tickets: walking open clocks by due time
    stops after `limit` matching tickets, where ordering a team's open tickets by a
    subquery would evaluate it for each of them. Two queries (team ids, the clocks with
    their tickets)."""
    team_ids = list(user.teams.values_list("id", flat=True))
    visible = Ticket.objects.visible_to(user).filter(
        Q(assignee=user) | Q(assignment_team_id__in=team_ids), status__in=OPEN_STATUSES
    )
    clocks = (
        _breaching_clocks()
        .filter(ticket__in=visible)
        .select_related("ticket")
        .only(*(f"ticket__{name}" for name in HOME_ROW_FIELDS), "ticket_id", "due_at")
        .order_by("due_at", "id")
    )
    # A ticket has up to two clocks (response, resolution): twice the rows cover `limit`.
    return _tickets_of_clocks(clocks[: limit * 2], limit)


def ticket_list_requester_replied(*, user: Any, limit: int) -> list[Ticket]:
    """The agent's open tickets whose requester replied since the agent last opened them
    (or that the agent never opened), latest reply first (the "replied" queue).
    `replied_at` is annotated with the time of that reply; the requester comes along.

    Narrowed first by the ticket's own `last_public_activity_at` against the agent's seen
    marker (no public activity since the last visit: no reply to find), so only the few
    tickets left are asked for a requester comment."""
    seen_at = TicketSeen.objects.filter(user=user, ticket=OuterRef("pk")).values("seen_at")[:1]
    latest_reply = (
        Comment.objects.filter(
            ticket=OuterRef("pk"), is_public=True, author_id=OuterRef("requester_id")
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return list(
        Ticket.objects.visible_to(user)
        .filter(assignee=user, status__in=OPEN_STATUSES, last_public_activity_at__isnull=False)
        .annotate(seen_at=Subquery(seen_at))
        .filter(Q(seen_at__isnull=True) | Q(last_public_activity_at__gt=F("seen_at")))
        # The latest requester reply after the visit is the same test as "a requester
        # reply after the visit" (the queue's Exists), with the reply's time for the row.
        .annotate(replied_at=Subquery(latest_reply))
        .filter(replied_at__isnull=False)
        .filter(Q(seen_at__isnull=True) | Q(replied_at__gt=F("seen_at")))
        .select_related("requester")
        .only(*HOME_ROW_FIELDS, "requester__display_name", "requester__email")
        .order_by("-replied_at", "-id")[:limit]
    )


class _BoundedCount(Subquery):
    """COUNT(*) over a LIMITed subquery: Postgres stops after the limit's index entries."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS bounded)"
    output_field = models.IntegerField()


@dataclass(frozen=True)
class TeamTicketCounts:
    team_id: int
    team: str
    unassigned: str  # capped like the queue counts: "999+"
    breached: str


TEAM_COUNTS_KEY = "tickets:team-counts"


def team_ticket_counts() -> list[TeamTicketCounts]:
    """Per team: open tickets nobody is assigned to, and open tickets with a breached SLA
    (the manager's figures on the desk home), capped like the queue counts ("999+"). The
    same for every manager, so kept for ITSM_QUEUE_COUNT_SECONDS once for all."""
    return cached(
        TEAM_COUNTS_KEY, seconds=settings.ITSM_QUEUE_COUNT_SECONDS, compute=_team_ticket_counts
    )


def _team_ticket_counts() -> list[TeamTicketCounts]:
    """Two queries. Unassigned: per team, COUNT over a LIMIT cap+1 walk of the team's open
    tickets (the open-by-team partial index), so a huge team costs cap+1 entries. Breached:
    one grouped count that starts from the breached clocks among the open ones (the clocks'
    partial due index holds only clocks not stopped, i.e. of open tickets), not from each
    team's open tickets: most open tickets have no breach, and asking each of them would
    cost a probe per open ticket."""
    cap = settings.ITSM_QUEUE_COUNT_CAP
    unassigned = (
        Ticket.objects.filter(
            assignment_team_id=OuterRef("pk"), status__in=OPEN_STATUSES, assignee__isnull=True
        )
        .order_by()
        .values("id")[: cap + 1]
    )
    teams = list(
        Team.objects.order_by("name")
        .only("id", "name")
        .annotate(unassigned_count=_BoundedCount(unassigned))
    )
    breached = dict(
        SlaClock.objects.filter(
            state=SlaState.BREACHED,
            stopped_at__isnull=True,
            ticket__status__in=OPEN_STATUSES,
            ticket__assignment_team__isnull=False,
        )
        .order_by()
        .values_list("ticket__assignment_team_id")
        .annotate(n=Count("ticket_id", distinct=True))
        .values_list("ticket__assignment_team_id", "n")
    )

    def capped(n: int) -> str:
        return f"{cap}+" if n > cap else str(n)

    return [
        TeamTicketCounts(
            team_id=team.pk,
            team=team.name,
            unassigned=capped(team.unassigned_count),
            breached=capped(breached.get(team.pk, 0)),
        )
        for team in teams
    ]
