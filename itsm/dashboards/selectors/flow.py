"""Flow figures of the overview: what comes in (volume), what goes out, and what piles up
(the open backlog by age)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from itsm.dashboards.selectors.figure import Figure, link_to, period_days
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from itsm.dashboards.selectors.summary import (
    OPEN_NOW_FRESHNESS,
    ROLLUP_FRESHNESS,
    daily_sums,
    open_now_snapshot,
)
from tickets.choices import Channel

VOLUME_ROWS = 20


AGE_BUCKETS = [
    ("Under 1 day", 0, 1),
    ("1–3 days", 1, 3),
    ("3–7 days", 3, 7),
    ("7–30 days", 7, 30),
    ("Over 30 days", 30, None),
]


def dashboard_backlog_age(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """The open backlog now, by age since the ticket was raised."""
    from django.urls import reverse

    counts = {
        f"b{band}": n
        for band, n in open_now_snapshot(scope, filters)
        .values("age_band")
        .annotate(n=Sum("tickets"))
        .order_by()
        .values_list("age_band", "n")
    }
    base = reverse("tickets:desk-ticket-queue")
    desk_query = {"status": "open"}
    for key, value in (
        ("team", filters.team_id),
        ("service", filters.service_id),
        ("priority", filters.priority),
        ("channel", filters.channel),
    ):
        if value is not None:
            desk_query[key] = str(value)
    rows: list[list[Any]] = []
    links: list[str | None] = []
    for index, (label, low, _high) in enumerate(AGE_BUCKETS):
        rows.append([label, counts.get(f"b{index}", 0)])
        # The desk's age filter knows 1, 3, 7 and 30 days: "older than" the bucket's floor.
        older = {"older_than_days": str(low)} if low else {}
        links.append(link_to(base, {**desk_query, **older}))
    return Figure(
        metric="backlog_age",
        title="Open backlog by age",
        help="Tickets that are new, in progress or on hold now, by time since they were "
        "raised (wall clock). The date range does not apply; team, service, priority and "
        "channel do. Each row links to the desk list of tickets at least that old."
        + OPEN_NOW_FRESHNESS,
        columns=["Age", "Open tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1]},
        summary=[{"label": "Open backlog", "value": sum(r[1] for r in rows)}],
        row_links=links,
    )


def dashboard_created_resolved(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Tickets raised and tickets resolved per day of the period."""
    counts = {
        row["day"]: (row["created"], row["resolved"])
        for row in daily_sums(scope, filters)
        .values("day")
        .annotate(created=Sum("created"), resolved=Sum("resolved"))
        .order_by()
    }
    rows = [[d.isoformat(), *counts.get(d, (0, 0))] for d in period_days(filters)]
    return Figure(
        metric="created_resolved",
        title="Created vs resolved per day",
        help="Tickets raised on each day, and tickets resolved on each day (still resolved or "
        "closed now; a reopened ticket counts when it is resolved again). When resolved stays "
        "below created, the backlog grows." + ROLLUP_FRESHNESS,
        columns=["Day", "Created", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1, 2]},
        summary=[
            {"label": "Created", "value": sum(r[1] for r in rows)},
            {"label": "Resolved", "value": sum(r[2] for r in rows)},
        ],
    )


def _volume(
    scope: DashboardScope, filters: DashboardFilters, field_name: str, label_field: str
) -> list[list[Any]]:
    rows = (
        daily_sums(scope, filters, field_name)
        .values(f"{field_name}_id", label_field)
        .annotate(n=Sum("created"))
        .filter(n__gt=0)
        .order_by("-n", label_field)
    )
    table = [[row[label_field] or "(none)", row["n"]] for row in rows]
    if len(table) > VOLUME_ROWS:
        # More groups than a chart can show: the largest 19 and the rest as one.
        tail = sum(r[1] for r in table[VOLUME_ROWS - 1 :])
        table = [*table[: VOLUME_ROWS - 1], ["(other)", tail]]
    return table


def dashboard_volume_category(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _volume(scope, filters, "category", "category__name")
    return Figure(
        metric="volume_category",
        title="Volume by category",
        help="Tickets raised in the period, by top-level category (the largest 19 and the "
        "rest as 'other')." + ROLLUP_FRESHNESS,
        columns=["Category", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
    )


def dashboard_volume_service(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _volume(scope, filters, "service", "service__name")
    return Figure(
        metric="volume_service",
        title="Volume by service",
        help="Tickets raised in the period, by the service they are about (the largest 19 and "
        "the rest as 'other')." + ROLLUP_FRESHNESS,
        columns=["Service", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
    )


def dashboard_volume_channel(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    counts = dict(
        daily_sums(scope, filters, "channel")
        .values("channel")
        .annotate(n=Sum("created"))
        .order_by()
        .values_list("channel", "n")
    )
    rows = [[str(label), counts.get(value, 0)] for value, label in Channel.choices]
    return Figure(
        metric="volume_channel",
        title="Volume by channel",
        help="Tickets raised in the period, by how they reached the desk (portal, email, "
        "phone, API)." + ROLLUP_FRESHNESS,
        columns=["Channel", "Tickets"],
        rows=rows,
        chart={"type": "doughnut", "x": 0, "series": [1]},
    )
