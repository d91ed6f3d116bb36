"""Reading the dashboard summary (the rollup tables `itsm.dashboards.rollup` keeps).

Range figures read the daily sums, figures about now the open-ticket snapshot; each at the
smallest grain that still holds the dimensions its scope, filters and grouping need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from itsm.dashboards.models import DashboardDaily, DashboardOpenNow, DashboardRollupState
from itsm.dashboards.rollup import DAILY_GRAINS, grain_of, smallest_grain
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope

# How old a range figure can be: the rollup beat's interval (settings.CELERY_BEAT_SCHEDULE).
ROLLUP_FRESHNESS = (
    " Read from the dashboard summary, which the server brings up to date every 5 minutes "
    "(today's figures can be up to 5 minutes behind)."
)
OPEN_NOW_FRESHNESS = (
    " As of the last refresh of the dashboard summary (every 5 minutes); the list behind "
    "a count is live."
)


def dashboard_figures_as_of() -> datetime | None:
    """When the rollup behind the overview was last brought up to date (None: never yet)."""
    return DashboardRollupState.objects.filter(pk=1).values_list("open_as_of", flat=True).first()


def needed_dimensions(scope: DashboardScope, filters: DashboardFilters) -> set[str]:
    needed = set()
    if scope.team_ids or filters.team_id is not None:
        needed.add("team")
    if not scope.everything and not scope.team_ids:
        needed.add("assignee")
    for name, value in (
        ("service", filters.service_id),
        ("priority", filters.priority),
        ("channel", filters.channel),
    ):
        if value is not None:
            needed.add(name)
    return needed


def dimension_q(scope: DashboardScope, filters: DashboardFilters) -> Q:
    """Scope and filters on a rollup row (or fact row): the same as on a ticket."""
    q = Q()
    if not scope.everything:
        q &= Q(team_id__in=scope.team_ids) if scope.team_ids else Q(assignee_id=scope.agent_id)
    for lookup, value in (
        ("team_id", filters.team_id),
        ("service_id", filters.service_id),
        ("priority", filters.priority),
        ("channel", filters.channel),
    ):
        if value is not None:
            q &= Q(**{lookup: value})
    return q


def daily_sums(
    scope: DashboardScope, filters: DashboardFilters, *group: str
) -> QuerySet[DashboardDaily]:
    """The daily sums in the period, at the smallest grain with the scope's, the filters'
    and the grouping's dimensions."""
    grain = smallest_grain(DAILY_GRAINS, needed_dimensions(scope, filters) | set(group))
    return DashboardDaily.objects.filter(
        dimension_q(scope, filters),
        grain=grain_of(grain),
        day__gte=filters.date_from,
        day__lte=filters.date_to,
    )


def open_now_snapshot(
    scope: DashboardScope, filters: DashboardFilters, *group: str
) -> QuerySet[DashboardOpenNow]:
    """The open-ticket snapshot of the last refresh, at the smallest grain needed."""
    grain = smallest_grain(DAILY_GRAINS, needed_dimensions(scope, filters) | set(group))
    return DashboardOpenNow.objects.filter(dimension_q(scope, filters), grain=grain_of(grain))


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def summed_by_week(rows: Iterable[Mapping[str, Any]], *names: str) -> dict[date, list[int]]:
    """Daily rows summed into weeks (Monday)."""
    weeks: dict[date, list[int]] = {}
    for row in rows:
        sums = weeks.setdefault(week_of(row["day"]), [0] * len(names))
        for index, name in enumerate(names):
            sums[index] += row[name] or 0
    return weeks
