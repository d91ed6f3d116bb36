"""The dashboards' filters: a date range and the ticket dimensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

MAX_RANGE_DAYS = 366


DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True)
class DashboardFilters:
    """The overview's filters: a date range (inclusive, local dates) and ticket dimensions."""

    date_from: date
    date_to: date
    team_id: int | None = None
    service_id: int | None = None
    priority: int | None = None
    channel: str | None = None

    @classmethod
    def default(cls) -> DashboardFilters:
        today = timezone.localdate()
        return cls(date_from=today - timedelta(days=DEFAULT_RANGE_DAYS - 1), date_to=today)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight after `date_to`."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def ticket_q(self, prefix: str = "") -> Q:
        q = Q()
        for lookup, value in (
            ("assignment_team_id", self.team_id),
            ("service_id", self.service_id),
            ("priority", self.priority),
            ("channel", self.channel),
        ):
            if value is not None:
                q &= Q(**{f"{prefix}{lookup}": value})
        return q

    def as_query(self) -> dict[str, str]:
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for key, value in (
            ("team", self.team_id),
            ("service", self.service_id),
            ("priority", self.priority),
            ("channel", self.channel),
        ):
            if value is not None:
                params[key] = str(value)
        return params
