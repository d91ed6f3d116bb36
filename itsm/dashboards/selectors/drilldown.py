"""The live lists behind the overview's counts: the open tickets whose SLA clock has breached
or is at risk, most overdue first, a page at a time or whole (CSV).

Pages are read by keyset, never by OFFSET: each page continues after the last clock of the
previous one, in (due_at, id) order, so page 50 costs what page 1 costs. The order walks
the `sla_clock_due` index (open clocks by due time). A breached clock on hold has no due
time; those come after every clock that has one, in id order (the index's NULLS LAST part).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from itsm.dashboards.rollup import AT_RISK_SHARE_LEFT
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from tickets.choices import OPEN_STATUSES
from tickets.models import SlaClock
from tickets.sla.rules import SlaState

DRILL_PAGE_SIZE = 100
# Above this the page says "more than 1000": counting every breached clock of a large desk
# would cost more than the page (DESIGN §9, queue counts).
DRILL_COUNT_CAP = 1000
CSV_CHUNK = 2000


def _in_scope(scope: DashboardScope, filters: DashboardFilters, prefix: str = "") -> Q:
    return scope.ticket_q(prefix) & filters.ticket_q(prefix)


def _at_risk_q() -> Q:
    # Wall-clock time left is at least the business time left, so "less than a quarter of
    # the target left on the wall clock" never flags a clock that still has more business
    # time than that; it is one indexed comparison instead of calendar arithmetic per row.
    now = timezone.now()
    return Q(state=SlaState.RUNNING, due_at__gt=now, risk_from__lte=now)


def _open_clocks(scope: DashboardScope, filters: DashboardFilters) -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(
        _in_scope(scope, filters, "ticket__"),
        stopped_at__isnull=True,
        ticket__status__in=OPEN_STATUSES,
    ).annotate(
        risk_from=ExpressionWrapper(
            F("due_at")
            - ExpressionWrapper(
                F("target_minutes") * Value(timedelta(minutes=AT_RISK_SHARE_LEFT)),
                output_field=DurationField(),
            ),
            output_field=DateTimeField(),
        )
    )


def _listed_clocks(
    *, scope: DashboardScope, filters: DashboardFilters, metric: str, which: str
) -> QuerySet[SlaClock]:
    clocks = _open_clocks(scope, filters).filter(metric=metric)
    if which == "breached":
        return clocks.filter(state=SlaState.BREACHED)
    return clocks.filter(_at_risk_q())


# --- Pages ---


@dataclass(frozen=True)
class DrillCursor:
    """Where a page starts: after the clock with this due time (None: on hold) and id."""

    due_at: datetime | None
    pk: int

    def encode(self) -> str:
        return f"{self.due_at.isoformat() if self.due_at else 'none'}~{self.pk}"

    @classmethod
    def decode(cls, text: str) -> DrillCursor:
        """Raises ValueError for anything `encode` did not write."""
        due, _, pk = text.rpartition("~")
        due_at = None if due == "none" else datetime.fromisoformat(due)
        if due_at is not None and due_at.tzinfo is None:
            raise ValueError("A cursor's due time carries its offset.")
        return cls(due_at=due_at, pk=int(pk))

    @classmethod
    def after(cls, clock: SlaClock) -> DrillCursor:
        return cls(due_at=clock.due_at, pk=clock.pk)


@dataclass(frozen=True)
class SlaTicketPage:
    """One page of the drill-down: its clocks (with ticket, team and assignee), the cursor of
    the next page (None on the last), and how many tickets the whole list holds, counted up
    to DRILL_COUNT_CAP + 1 (`total_is_capped` then says there are more)."""

    clocks: list[SlaClock]
    next_cursor: DrillCursor | None
    total: int
    total_is_capped: bool


def dashboard_sla_ticket_page(
    *,
    scope: DashboardScope,
    filters: DashboardFilters,
    metric: str,
    which: str,
    after: DrillCursor | None = None,
    size: int = DRILL_PAGE_SIZE,
) -> SlaTicketPage:
    """A page of the open tickets behind a breach (or at-risk) count, most overdue first.

    Two to three bounded queries: the capped count, the clocks with a due time after the
    cursor (LIMIT size + 1, the extra row says whether a next page exists) and, only when
    those run out, the clocks on hold.
    """
    clocks = _listed_clocks(scope=scope, filters=filters, metric=metric, which=which)
    total = clocks[: DRILL_COUNT_CAP + 1].count()
    wanted = size + 1
    related = clocks.select_related("ticket__assignment_team", "ticket__assignee")
    rows: list[SlaClock] = []
    if after is None or after.due_at is not None:
        due = related.filter(due_at__isnull=False)
        if after is not None:
            # due_at >= … keeps the index range; the OR only breaks ties on the same instant.
            due = due.filter(Q(due_at__gt=after.due_at) | Q(pk__gt=after.pk)).filter(
                due_at__gte=after.due_at
            )
        rows = list(due.order_by("due_at", "pk")[:wanted])
    if len(rows) < wanted:
        on_hold = related.filter(due_at__isnull=True)
        if after is not None and after.due_at is None:
            on_hold = on_hold.filter(pk__gt=after.pk)
        rows += list(on_hold.order_by("pk")[: wanted - len(rows)])
    more = len(rows) > size
    return SlaTicketPage(
        clocks=rows[:size],
        next_cursor=DrillCursor.after(rows[size - 1]) if more else None,
        total=min(total, DRILL_COUNT_CAP),
        total_is_capped=total > DRILL_COUNT_CAP,
    )


# --- The whole list (CSV) ---


SLA_TICKET_COLUMNS = ["Ticket", "Short description", "Priority", "Team", "Assignee", "Due"]


def dashboard_sla_ticket_rows(
    *, scope: DashboardScope, filters: DashboardFilters, metric: str, which: str
) -> Iterator[tuple[Any, ...]]:
    """Every ticket of the list as plain values (SLA_TICKET_COLUMNS), in page order.

    Read in chunks of CSV_CHUNK rows over one query, so memory stays flat however long the
    list is; no model objects are built.
    """
    rows = (
        _listed_clocks(scope=scope, filters=filters, metric=metric, which=which)
        .order_by(F("due_at").asc(nulls_last=True), "pk")
        .values_list(
            "ticket__number",
            "ticket__short_description",
            "ticket__priority",
            "ticket__assignment_team__name",
            "ticket__assignee__display_name",
            "due_at",
        )
    )
    for number, description, priority, team, assignee, due_at in rows.iterator(CSV_CHUNK):
        yield (
            number,
            description,
            f"P{priority}",
            team or "",
            assignee or "",
            due_at.isoformat() if due_at else "paused",
        )
