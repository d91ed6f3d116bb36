"""The shape every figure has, and the small arithmetic the figures share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from itsm.dashboards.selectors.filters import DashboardFilters


@dataclass
class Figure:
    """One chart and its table: `columns` + `rows` are the numbers (the table view and the
    CSV); `chart` says how the browser draws them (`x` column, `series` columns)."""

    metric: str
    title: str
    help: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] = field(default_factory=dict)
    summary: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    row_links: list[str | None] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def as_hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 2) if value is not None else None


def seconds_as_hours(value: float | None) -> float | None:
    return round(value / 3600, 2) if value is not None else None


def period_weeks(filters: DashboardFilters) -> list[date]:
    """The Mondays of the weeks the period touches."""
    first = filters.date_from - timedelta(days=filters.date_from.weekday())
    weeks = []
    while first <= filters.date_to:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def period_days(filters: DashboardFilters) -> list[date]:
    count = (filters.date_to - filters.date_from).days + 1
    return [filters.date_from + timedelta(days=i) for i in range(count)]


def link_to(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}"
