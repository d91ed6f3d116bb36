"""Time worked: the ticket page's entries, totals per ticket, agent and team, and the
dashboard figure.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Window
from django.http import Http404

from itsm.core.compiled import compiled_once
from tickets.choices import TicketStatus
from tickets.models import Ticket, TimeEntry

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
    if limit == TIME_ENTRIES_ON_PAGE:
        rows = _page_time_entries(ticket.pk)
    else:
        rows = list(_time_entries_with_totals(ticket.pk)[:limit])
    if not rows:
        return TimeWorked(entries=[], total_minutes=0, count=0)
    totals: Any = rows[0]  # the window aggregates ride on every row
    return TimeWorked(entries=rows, total_minutes=totals.all_minutes, count=totals.all_count)


def _time_entries_with_totals(ticket_id: int) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.filter(ticket_id=ticket_id)
        .select_related("agent")
        .annotate(all_minutes=Window(Sum("minutes")), all_count=Window(Count("id")))
    )


@compiled_once
def _page_time_entries(ticket_id: int) -> QuerySet[TimeEntry]:
    return _time_entries_with_totals(ticket_id)[:TIME_ENTRIES_ON_PAGE]


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
