"""Quality figures of the overview: first-contact resolution, reassignment, satisfaction."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from itsm.dashboards.models import TargetKey
from itsm.dashboards.selectors.figure import Figure, percent, period_weeks
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from itsm.dashboards.selectors.summary import ROLLUP_FRESHNESS, daily_sums, summed_by_week


def _weekly_share(
    scope: DashboardScope, filters: DashboardFilters, hit: str
) -> tuple[list[list[Any]], int, int]:
    counts = summed_by_week(
        daily_sums(scope, filters)
        .values("day")
        .annotate(hit=Sum(hit), n=Sum("resolved"))
        .order_by(),
        "hit",
        "n",
    )
    rows: list[list[Any]] = []
    for week in period_weeks(filters):
        part, whole = counts.get(week, (0, 0))
        rows.append([week.isoformat(), percent(part, whole), part, whole])
    return rows, sum(r[2] for r in rows), sum(r[3] for r in rows)


def dashboard_first_contact_resolution(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """First-contact resolution rate per week."""
    rows, part, whole = _weekly_share(scope, filters, "first_contact")
    return Figure(
        metric="first_contact_resolution",
        title="First-contact resolution",
        help="Of the tickets resolved in the period, the share resolved by the agent they were "
        "first assigned to, never reassigned (the ticket's first-contact-resolution flag, set "
        "when it is resolved)." + ROLLUP_FRESHNESS,
        columns=["Week", "First-contact resolution (%)", "Resolved at first contact", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1], "unit": "%", "max": 100},
        summary=[{"label": "First-contact resolution", "value": percent(part, whole), "unit": "%"}],
        targets=[{"label": "FCR target", "value": targets[TargetKey.FCR]}],
    )


def dashboard_reassignment(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Reassignment rate per week."""
    rows, part, whole = _weekly_share(scope, filters, "reassigned")
    return Figure(
        metric="reassignment",
        title="Reassignment rate",
        help="Of the tickets resolved in the period, the share moved to another team or agent "
        "at least once after the first assignment. Lower is better: each move costs the "
        "requester time." + ROLLUP_FRESHNESS,
        columns=["Week", "Reassigned (%)", "Reassigned", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1], "unit": "%", "max": 100},
        summary=[{"label": "Reassigned", "value": percent(part, whole), "unit": "%"}],
        targets=[{"label": "Ceiling", "value": targets[TargetKey.REASSIGNMENT]}],
    )


def dashboard_csat(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Satisfaction: answers per rating, the average and the response rate."""
    ratings = {f"rating_{r}": Sum(f"rating_{r}") for r in range(1, 6)}
    sums = daily_sums(scope, filters).aggregate(resolved=Sum("resolved"), **ratings)
    counts = {r: sums[f"rating_{r}"] or 0 for r in range(1, 6)}
    resolved = sums["resolved"] or 0
    answered = sum(counts.values())
    average = (
        round(sum(rating * n for rating, n in counts.items() if rating) / answered, 2)
        if answered
        else None
    )
    rows = [[f"{rating} / 5", counts.get(rating, 0)] for rating in range(1, 6)]
    return Figure(
        metric="csat",
        title="Customer satisfaction",
        help="Requesters rate a resolved ticket from 1 (very unhappy) to 5 (very happy) in the "
        "portal. Of the tickets resolved in the period: the answers per rating, their average, "
        "and the share of tickets whose requester answered (response rate)." + ROLLUP_FRESHNESS,
        columns=["Rating", "Answers"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1]},
        summary=[
            {"label": "Average rating", "value": average, "unit": "/ 5"},
            {"label": "Response rate", "value": percent(answered, resolved), "unit": "%"},
            {"label": "Answers", "value": answered},
        ],
        targets=[
            {"label": "Satisfaction target", "value": targets[TargetKey.CSAT], "summary": True},
            {
                "label": "Response-rate target",
                "value": targets[TargetKey.CSAT_RESPONSE],
                "summary": True,
            },
        ],
    )
