"""Workload figures of the overview: open and resolved tickets per team and per agent."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from itsm.dashboards.selectors.figure import Figure, percent
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from itsm.dashboards.selectors.summary import daily_sums, open_now_snapshot

WORKLOAD_ROWS = 50


WORKLOAD_GROUPS = {"team": "team__name", "assignee": "assignee__display_name"}


def _workload(scope: DashboardScope, filters: DashboardFilters, group: str) -> list[list[Any]]:
    """Open now (the snapshot), and resolved in the period with the resolution clocks met
    (the daily sums); the busiest first."""
    rollup_label = WORKLOAD_GROUPS[group]
    merged: dict[int | None, dict[str, Any]] = {}
    for row in (
        open_now_snapshot(scope, filters, group)
        .values(f"{group}_id", rollup_label)
        .annotate(n=Sum("tickets"))
        .order_by()
    ):
        merged[row[f"{group}_id"]] = {"label": row[rollup_label], "open": row["n"]}
    for row in (
        daily_sums(scope, filters, group)
        .values(f"{group}_id", rollup_label)
        .annotate(
            resolved=Sum("resolved"),
            met=Sum("resolution_met"),
            breached=Sum("resolution_breached"),
        )
        .order_by()
    ):
        if not (row["resolved"] or row["met"] or row["breached"]):
            continue
        entry = merged.setdefault(row[f"{group}_id"], {"label": row[rollup_label], "open": 0})
        entry.update(resolved=row["resolved"], met=row["met"], breached=row["breached"])
    rows = [
        [
            entry["label"] or "(unassigned)",
            entry["open"],
            entry.get("resolved", 0),
            percent(entry.get("met", 0), entry.get("met", 0) + entry.get("breached", 0)),
            entry["label"],
        ]
        for entry in merged.values()
    ]
    rows.sort(key=lambda r: (-r[1], -r[2], r[4] is None, r[4] or ""))
    return [row[:4] for row in rows[:WORKLOAD_ROWS]]


def dashboard_workload_team(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _workload(scope, filters, "team")
    return Figure(
        metric="workload_team",
        title="Team workload",
        help="Per assignment team: tickets open now, tickets resolved in the period, and the "
        "share of resolution clocks stopped in the period that met their target. All three are "
        "read from the dashboard summary, which the server brings up to date every 5 "
        "minutes.",
        columns=["Team", "Open now", "Resolved in period", "Resolution SLA met (%)"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2]},
    )


def dashboard_workload_agent(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _workload(scope, filters, "assignee")
    return Figure(
        metric="workload_agent",
        title="Agent workload",
        help="Per assigned agent (the 50 busiest): tickets open now, tickets resolved in the "
        "period, and the share of resolution clocks stopped in the period that met their "
        "target. All three are read from the dashboard summary, which the server brings "
        "up to date every 5 minutes.",
        columns=["Agent", "Open now", "Resolved in period", "Resolution SLA met (%)"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2], "horizontal": True},
    )
