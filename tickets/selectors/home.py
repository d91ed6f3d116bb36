"""The desk home's panels of tickets and the manager's team counts.

Each panel of the agent's day (itsm.dashboards.home) is one bounded query here: at most
`limit` rows, from an index that starts at the agent (their open tickets) or at the SLA due
time, whatever the size of the ticket table.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from itsm.accounts.models import Team
from itsm.accounts.roles import user_is_staff_member
from itsm.core.cache import cached
from tickets.choices import OPEN_STATUSES
from tickets.models import Comment, SlaClock, Ticket, TicketSeen
from tickets.selectors.queue import breaching_clock_filter, queue_filter
from tickets.sla.rules import SlaState

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
    mine = Ticket.objects.visible_to(user).filter(queue_filter("mine", user))
    clocks = _open_clocks_of(
        user, Q(ticket__assignee=user), Q(state__in=(SlaState.RUNNING, SlaState.BREACHED))
    )
    tickets = _tickets_of_clocks(clocks[: limit * 2], limit)
    if len(tickets) < limit:
        rest = mine.exclude(pk__in=[t.pk for t in tickets]).only(*HOME_ROW_FIELDS)
        for ticket in rest.order_by("-created_at", "-id")[: limit - len(tickets)]:
            setattr(ticket, "sla_due", None)  # noqa: B010
            tickets.append(ticket)
    return tickets


def _open_clocks_of(user: Any, whose: Q, which: Q) -> QuerySet[SlaClock]:
    """Clocks not stopped, of `which` kind, of open tickets that `whose` picks (through the
    clock's own join to its ticket), soonest due first, each with its ticket's row fields.

    One join to the tickets, not `ticket__in=<tickets>` beside it: with both, the planner
    misjudged how few open clocks there are and merge-joined them against every ticket's
    primary key (300 ms at 1M tickets). The desk home is staff-only, and staff see every
    ticket (Ticket.objects.visible_to); anyone else gets no clocks."""
    if not user_is_staff_member(user):
        return SlaClock.objects.none()
    return (
        SlaClock.objects.filter(
            whose, which, ticket__status__in=OPEN_STATUSES, stopped_at__isnull=True
        )
        .select_related("ticket")
        .only(*(f"ticket__{name}" for name in HOME_ROW_FIELDS), "ticket_id", "due_at")
        .order_by("due_at", "id")
    )


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
    clocks = _open_clocks_of(
        user,
        Q(ticket__assignee=user) | Q(ticket__assignment_team_id__in=team_ids),
        breaching_clock_filter(),
    )
    # A ticket has up to two clocks (response, resolution): twice the rows cover `limit`.
    return _tickets_of_clocks(clocks[: limit * 2], limit)


def ticket_list_requester_replied(*, user: Any, limit: int) -> list[Ticket]:
    """The agent's open tickets whose requester replied since the agent last opened them
    (or that the agent never opened), latest public activity first (the "replied" queue).
    `replied_at` is annotated with the time of that reply; the requester comes along.

    Walked from the index of the agent's open tickets by `last_public_activity_at` (newest
    first), each narrowed by that time against the agent's seen marker (no public activity
    since the last visit: no reply to find) before it is asked for a requester comment; the
    walk stops when the panel is full, however many open tickets the agent has. Sorting by
    the reply's own time would ask every one of them first."""
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
        .order_by("-last_public_activity_at", "-id")[:limit]
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
