"""The forward schedule of change laid out as month and week grids: pure, no ORM.

Days are local days in the given timezone; a change or blackout shows on every day its
half-open window [start, end) touches (a change ending at midnight does not spill over).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo


@dataclass
class Day:
    date: date
    in_period: bool
    changes: list = field(default_factory=list)
    blackouts: list = field(default_factory=list)
    more: int = 0


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First Monday on or before the 1st, and the Monday after the last week (exclusive)."""
    first = date(year, month, 1)
    next_month = date(year + month // 12, month % 12 + 1, 1)
    start = first - timedelta(days=first.weekday())
    end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
    return start, end


def week_bounds(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=7)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _days_touched(start: datetime, end: datetime, tz: tzinfo, first: date, last: date):
    """Local dates in [first, last) that [start, end) overlaps."""
    day = max(start.astimezone(tz).date(), first)
    final = (end.astimezone(tz) - timedelta(microseconds=1)).date()
    while day <= final and day < last:
        yield day
        day += timedelta(days=1)


def lay_out(
    *,
    start: date,
    end: date,
    tz: tzinfo,
    changes: list,
    blackouts: list,
    period_month: int | None = None,
    max_per_day: int | None = None,
) -> list[list[Day]]:
    """Weeks (lists of 7 Days) from `start` to `end` (both Mondays), each day holding the
    changes (`planned_start`/`planned_end`) and blackouts (`starts_at`/`ends_at`) it touches.

    With `max_per_day`, a day keeps its first changes and counts the rest in `more` (a month
    cell cannot show thirty changes; the day's list view can)."""
    days = {}
    day = start
    while day < end:
        in_period = period_month is None or day.month == period_month
        days[day] = Day(date=day, in_period=in_period)
        day += timedelta(days=1)
    for change in changes:
        for d in _days_touched(change.planned_start, change.planned_end, tz, start, end):
            if max_per_day is not None and len(days[d].changes) >= max_per_day:
                days[d].more += 1
            else:
                days[d].changes.append(change)
    for blackout in blackouts:
        for d in _days_touched(blackout.starts_at, blackout.ends_at, tz, start, end):
            days[d].blackouts.append(blackout)
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


@dataclass
class ListRow:
    """One line of the calendar's list view: a change or a blackout window."""

    starts_at: datetime
    ends_at: datetime
    change: object = None
    blackout: object = None


def list_rows(*, changes: list, blackouts: list) -> list[ListRow]:
    """Changes and blackouts in one chronological list, earliest start first; at the same
    start the blackout comes first (it is the constraint the change runs into)."""
    rows = [ListRow(b.starts_at, b.ends_at, blackout=b) for b in blackouts]
    rows += [ListRow(c.planned_start, c.planned_end, change=c) for c in changes]
    return sorted(rows, key=lambda row: (row.starts_at, row.change is not None))
