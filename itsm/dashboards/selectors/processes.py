"""Process figures: changes, problems, knowledge and major incidents (desk-wide).

Each reads its process app through that app's own selectors (DESIGN §3: pages that show
several processes side by side read through the other apps' selectors); the deflections
come from the portal, which the dashboards sit above. Only the date range of the filters
applies (process records have no desk team), so `scope` is unused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from changes.selectors import change_get_figures_for_period
from itsm.dashboards.models import TargetKey
from itsm.dashboards.selectors.figure import Figure, as_hours, percent
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from itsm.portal.selectors import article_list_top_deflecting, deflection_count_for_period
from knowledge.selectors import article_count_due_review
from problems.selectors import problem_list_counts_by_status
from tickets.major.selectors import major_get_figures_for_period

TOP_ARTICLES = 10
CAB_HORIZON_DAYS = 14


# --- Changes ---


def dashboard_changes(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Success rate, emergency share, changes causing incidents and the coming CAB load."""
    figures = change_get_figures_for_period(
        start=filters.start, end=filters.end, horizon=timedelta(days=CAB_HORIZON_DAYS)
    )
    success = percent(figures.successful, figures.reviewed)
    rows: list[list[Any]] = [
        ["Changes raised in period", figures.raised],
        ["Emergency changes (%)", percent(figures.emergency, figures.raised)],
        ["Changes reviewed in period", figures.reviewed],
        ["Change success rate (%)", success],
        ["Reviewed changes that caused incidents", figures.causing_incidents],
        ["Awaiting CAB now", figures.awaiting_cab],
        [f"Scheduled to start in the next {CAB_HORIZON_DAYS} days", figures.starting_soon],
    ]
    return Figure(
        metric="changes",
        title="Change management",
        help="Success rate: of the changes whose post-implementation review was recorded in "
        "the period, the share reviewed as successful (with or without issues). Emergency "
        "share: of the changes raised in the period. Causing incidents: reviewed changes an "
        "agent linked an incident to. CAB load: changes awaiting the CAB now and changes "
        "planned to start soon.",
        columns=["Measure", "Value"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
        summary=[{"label": "Change success rate", "value": success, "unit": "%"}],
        targets=[
            {
                "label": "Success target",
                "value": targets[TargetKey.CHANGE_SUCCESS],
                "summary": True,
            }
        ],
    )


# --- Problems ---


def dashboard_problems(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Open problems by state, with known errors and linked incidents."""
    rows: list[list[Any]] = [
        [str(count.status.label), count.problems, count.known_errors, count.incidents]
        for count in problem_list_counts_by_status()
    ]
    return Figure(
        metric="problems",
        title="Problem management",
        help="Problems by state now, how many of them are published known errors (with a "
        "workaround agents can use), and the incidents linked to them.",
        columns=["State", "Problems", "Known errors", "Linked incidents"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2]},
        summary=[
            {"label": "Known errors", "value": sum(r[2] for r in rows)},
            {"label": "Incidents linked", "value": sum(r[3] for r in rows)},
        ],
    )


# --- Knowledge ---


def dashboard_knowledge(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Top articles by deflections in the period, with views, and articles due for review."""
    top = article_list_top_deflecting(start=filters.start, end=filters.end, limit=TOP_ARTICLES)
    rows = [[f"{a.number} {a.title}", a.deflections, a.views] for a in top]
    return Figure(
        metric="knowledge",
        title="Knowledge",
        help="Deflections: requesters who said a suggested article solved their issue instead "
        "of raising a ticket, in the period. Views are all-time. Articles needing review are "
        "published ones past their review date.",
        columns=["Article", "Deflections in period", "Views"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
        summary=[
            {
                "label": "Tickets deflected",
                "value": deflection_count_for_period(start=filters.start, end=filters.end),
            },
            {"label": "Articles needing review", "value": article_count_due_review()},
        ],
    )


# --- Major incidents ---


def dashboard_major_incidents(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Major incidents declared in the period: how many, how long, how fast the first update."""
    figures = major_get_figures_for_period(start=filters.start, end=filters.end)
    rows: list[list[Any]] = [
        ["Declared in period", figures.declared],
        ["Resolved", figures.resolved],
        ["Mean duration (hours)", as_hours(figures.mean_duration)],
        ["Mean time to first update (hours)", as_hours(figures.mean_time_to_first_update)],
    ]
    return Figure(
        metric="major_incidents",
        title="Major incidents",
        help="Major incidents declared in the period. Duration: declaration to resolution of "
        "the resolved ones (wall clock). Time to first update: declaration to the first "
        "status update posted to stakeholders.",
        columns=["Measure", "Value"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
        summary=[
            {"label": "Major incidents", "value": figures.declared},
            {"label": "Mean duration", "value": as_hours(figures.mean_duration), "unit": "h"},
        ],
    )
