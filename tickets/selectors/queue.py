"""Desk queues: what each queue holds, its counts, the filter choices and the agent's
queue settings."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import STAFF_ROLES
from itsm.cmdb.models import ConfigurationItem
from itsm.core.cache import cached, forget
from itsm.core.compiled import compiled_once
from tickets.choices import OPEN_STATUSES, Channel, TicketStatus
from tickets.models import (
    Category,
    Comment,
    QueuePreference,
    SavedFilter,
    SlaClock,
    Ticket,
    TicketSeen,
)
from tickets.selectors.sla import BREACHING_SOON, BadgeClock, badge_clocks_for
from tickets.sla.rules import SlaState

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


def queue_filter(slug: str, user: Any, team_ids: list[int] | None = None) -> Q:
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
            Exists(breaching_clocks().filter(ticket=OuterRef("pk"))),
            status__in=OPEN_STATUSES,
        )
    if slug == "breached":
        breached = Exists(SlaClock.objects.filter(ticket=OuterRef("pk"), state=SlaState.BREACHED))
        return Q(breached, status__in=OPEN_STATUSES)
    raise Http404("No such queue.")


def breaching_clocks() -> QuerySet[SlaClock]:
    """Clocks past their target or due within BREACHING_SOON (open ones: the due index)."""
    return SlaClock.objects.filter(breaching_clock_filter(), stopped_at__isnull=True)


def breaching_clock_filter() -> Q:
    """A clock past its target, or running and due within BREACHING_SOON."""
    return Q(state=SlaState.BREACHED) | Q(
        state=SlaState.RUNNING, due_at__lte=timezone.now() + BREACHING_SOON
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


def ticket_list_for_queue(*, user: Any, queue: str | None) -> QuerySet[Ticket]:
    """Tickets of a desk queue (or all visible ones), with what the rows show joined in."""
    tickets = Ticket.objects.visible_to(user).select_related(*LIST_RELATED)
    if queue:
        tickets = tickets.filter(queue_filter(queue, user))
    return tickets


# What a queue row shows (tickets.rows), read as plain values: building six model objects per
# row (the ticket and five joined ones) and the clocks' objects cost more than the query.
_ROW_VALUES = (
    "pk",
    "number",
    # The bulk bar sends each selected ticket's version back (tickets.services.queue).
    "version",
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
    # A ticket's category is a top-level one (a subcategory is its own field), so its name is
    # what the category prints as.
    "category__name",
)
_STATUS_LABEL = dict(TicketStatus.choices)
_CHANNEL_LABEL = dict(Channel.choices)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A ticket as its queue row shows it. People are shown as they print (name, else
    address); a team, service or category the ticket lacks is ""."""

    pk: int
    number: str
    version: int
    priority: int
    short_description: str
    status: str
    created_at: datetime
    updated_at: datetime
    channel: str
    requester: str
    requester_email: str
    assignee: str
    team: str
    service: str
    category: str
    clocks: list[BadgeClock]

    def get_status_display(self) -> str:
        return str(_STATUS_LABEL.get(self.status, self.status))

    def get_channel_display(self) -> str:
        return str(_CHANNEL_LABEL.get(self.channel, self.channel))


def ticket_list_for_desk_queue(*, user: Any, queue: str | None) -> QuerySet[Ticket]:
    """The tickets of a desk queue (or all visible ones); its rows are read by
    `queue_rows_read`, its export by tickets.export."""
    tickets = Ticket.objects.visible_to(user)
    if queue:
        tickets = tickets.filter(queue_filter(queue, user))
    return tickets


def queue_rows_read(tickets: QuerySet[Ticket]) -> list[QueueRow]:
    """The rows of a page of the queue (`tickets` sliced to it): one query for the tickets
    with the names they show, one for their open SLA clocks."""
    values = list(tickets.values_list(*_ROW_VALUES))
    clocks = badge_clocks_for([row[0] for row in values])
    return [
        QueueRow(
            pk=pk,
            number=number,
            version=version,
            priority=priority,
            short_description=short_description,
            status=status,
            created_at=created_at,
            updated_at=updated_at,
            channel=channel,
            requester=requester_name or requester_email,
            requester_email=requester_email,
            assignee=(assignee_name or assignee_email or ""),
            team=team or "",
            service=service or "",
            category=category or "",
            clocks=clocks[pk],
        )
        for (
            pk,
            number,
            version,
            priority,
            short_description,
            status,
            created_at,
            updated_at,
            channel,
            requester_name,
            requester_email,
            assignee_name,
            assignee_email,
            team,
            service,
            category,
        ) in values
    ]


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
        bounded = Ticket.objects.filter(queue_filter(queue.slug, user, team_ids)).order_by()
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


TEAM_AGENTS_KEY = "tickets:team-agents"


def team_agent_choices(*, team_id: int | str | None) -> list[tuple[int, str]]:
    """(id, label) of a team's active members, for the agent list that follows the chosen
    team (none when no team is chosen: an agent is always assigned within a team). Every
    ticket page draws it, so all teams' lists are cached together, until a membership or
    a person changes (tickets.signals)."""
    if not str(team_id or "").isdigit():
        return []
    members = cached(TEAM_AGENTS_KEY, seconds=FILTER_CHOICES_SECONDS, compute=_team_agents)
    return members.get(int(str(team_id)), [])


def _team_agents() -> dict[int, list[tuple[int, str]]]:
    from itsm.accounts.models import User

    members: dict[int, list[tuple[int, str]]] = {}
    rows = (
        User.objects.filter(is_active=True, teams__isnull=False)
        .order_by("display_name", "email")
        .values_list("teams__id", "pk", "display_name", "email")
    )
    for team_id, pk, name, email in rows:
        members.setdefault(team_id, []).append((pk, name or email))  # as User.__str__
    return members


def filter_choices_forget() -> None:
    """Drop the cached choice lists: the filter bar's and the teams' agent lists."""
    forget(FILTER_CHOICES_KEY, TEAM_AGENTS_KEY)


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


def saved_filter_list(*, owner: Any) -> QuerySet[SavedFilter]:
    """The agent's own saved queue filters, for the queue navigation."""
    return SavedFilter.objects.filter(owner=owner)


@compiled_once
def _preference_of(user_id: int) -> QuerySet[QueuePreference]:
    # By its primary key (the user's id): no ORDER BY … LIMIT 1 as `.first()` would add.
    return QueuePreference.objects.filter(pk=user_id).order_by()


def queue_preference_for(*, user: Any) -> QueuePreference:
    """The agent's queue settings; an unsaved default one until they change something."""
    found = _preference_of(user.pk)
    return found[0] if found else QueuePreference(user=user)
