"""Time worked per resolved ticket, by category and by service (issue #16): how much agent
time a resolved ticket of each kind takes, from the time entries agents log.

Read live, not from the rollup: one aggregate over the tickets resolved in the period (an
indexed range), joined to their time entries (indexed by ticket).
"""

from __future__ import annotations

from typing import Any

from itsm.dashboards.selectors.figure import Figure
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from tickets.selectors import time_worked_per_resolved_ticket

TIME_ROWS = 20


def _rows(scope: DashboardScope, filters: DashboardFilters, group_by: str) -> list[list[Any]]:
    label = {"category": "category__name", "service": "service__name"}[group_by]
    groups = time_worked_per_resolved_ticket(
        tickets_q=scope.ticket_q() & filters.ticket_q(),
        start=filters.start,
        end=filters.end,
        group_by=group_by,
    )
    groups.sort(key=lambda g: (-(g["minutes"] or 0), -g["resolved"], g[label] or ""))
    rows = [
        [g[label] or "(none)", g["resolved"], g["with_time"], g["minutes"] or 0] for g in groups
    ]
    if len(rows) > TIME_ROWS:
        tail = rows[TIME_ROWS - 1 :]
        rows = [
            *rows[: TIME_ROWS - 1],
            ["(other)", *(sum(r[i] for r in tail) for i in (1, 2, 3))],
        ]
    return [
        [name, resolved, with_time, minutes, _average(minutes, resolved)]
        for name, resolved, with_time, minutes in rows
    ]


def _average(minutes: int, resolved: int) -> float | None:
    return round(minutes / resolved, 1) if resolved else None


def _figure(metric: str, title: str, what: str, rows: list[list[Any]]) -> Figure:
    resolved = sum(r[1] for r in rows)
    minutes = sum(r[3] for r in rows)
    return Figure(
        metric=metric,
        title=title,
        help=f"Tickets resolved in the period (still resolved or closed now), by {what}: the "
        "minutes agents logged on them (at any time) and the average per resolved ticket, "
        "counting tickets with no time logged as zero. Read live from the time entries.",
        columns=[
            what.capitalize(),
            "Resolved tickets",
            "With time logged",
            "Minutes worked",
            "Average minutes per resolved ticket",
        ],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [4], "horizontal": True},
        summary=[
            {"label": "Hours worked", "value": round(minutes / 60, 1)},
            {"label": "Average minutes per resolved ticket", "value": _average(minutes, resolved)},
        ],
    )


def dashboard_time_category(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    return _figure(
        "time_category",
        "Time worked per resolved ticket by category",
        "category",
        _rows(scope, filters, "category"),
    )


def dashboard_time_service(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    return _figure(
        "time_service",
        "Time worked per resolved ticket by service",
        "service",
        _rows(scope, filters, "service"),
    )
