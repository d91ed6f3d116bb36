"""Exact business-time arithmetic over a calendar's working hours. Pure Python, no ORM.

The model: a calendar is open during a set of UTC intervals. For every local date `d` in the
calendar's timezone that is not a closed date, each working interval `(start, end)` of
`d.weekday()` becomes the instant interval `[local(d, start), local(d, end))` (an `end` of
00:00 means midnight at the end of `d`). Business time between two instants is the length of
their overlap with that set; adding business time walks forward through it. All sums are
`timedelta`s, so results are exact to the microsecond.

Wall-clock times that do not map to exactly one instant (DST changes):

* **Nonexistent** (spring forward, e.g. 02:30 on 2026-03-29 in Europe/Berlin) are moved to
  the instant of the change, the first moment the clock shows a later time. An interval
  02:30-05:00 that night opens at 03:00 CEST; an interval lying wholly in the gap is empty.
* **Ambiguous** (fall back, e.g. 02:30 on 2026-10-25 in Europe/Berlin) mean the earlier
  occurrence (PEP 495 `fold=0`), so an interval 01:00-04:00 that night lasts four real hours
  and a 24-hour local day lasts 25.

Both rules map wall-clock time to instants monotonically, so a day's intervals stay ordered
and two intervals that meet on the wall clock (12:00-13:00, 13:00-17:00) still meet.

Results are aware datetimes in UTC. Callers pass aware datetimes; naive ones are refused.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from math import ceil, floor
from zoneinfo import ZoneInfo

__all__ = [
    "CalendarSpec",
    "add_business_days",
    "add_business_time",
    "business_time_between",
    "threshold_due_at",
]

ZERO = timedelta(0)
DAY = timedelta(days=1)
MIDNIGHT = time(0, 0)

Intervals = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class CalendarSpec:
    """A calendar reduced to plain values: what the arithmetic needs and nothing else.

    `weekly` maps a weekday (0 = Monday … 6 = Sunday) to its working intervals; a missing day
    is closed. An interval's end may be `time(0, 0)`, meaning midnight at the end of the day,
    so `(time(0), time(0))` is a whole day. Intervals are sorted and overlapping or touching
    ones are merged. `closed_dates` are local dates with no working time at all (public
    holidays, office closures). `always_open` makes every instant business time and ignores
    the other fields: the 24x7 calendar. Specs compare by value but are not hashable
    (`weekly` is a dict); cache them by calendar id, not by spec.
    """

    tz: tzinfo
    weekly: dict[int, Intervals] = field(default_factory=dict)
    closed_dates: frozenset[date] = frozenset()
    always_open: bool = False
    # Derived, for speed: per weekday the intervals as offsets from local midnight, and the
    # working time of one week without closed dates or DST changes.
    _offsets: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = field(
        init=False, repr=False, compare=False
    )
    _week_total: timedelta = field(init=False, repr=False, compare=False)
    _sorted_closed: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weekly: dict[int, Intervals] = {}
        for weekday, intervals in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}.")
            if merged := _merge(intervals):
                weekly[weekday] = merged
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        offsets = tuple(
            tuple((_since_midnight(s), _since_midnight(e) or DAY) for s, e in weekly.get(wd, ()))
            for wd in range(7)
        )
        object.__setattr__(self, "_offsets", offsets)
        object.__setattr__(
            self, "_week_total", sum((e - s for day in offsets for s, e in day), ZERO)
        )
        object.__setattr__(self, "_sorted_closed", tuple(sorted(self.closed_dates)))

    @classmethod
    def twenty_four_seven(cls, tz: tzinfo | None = None) -> CalendarSpec:
        return cls(tz=tz or ZoneInfo("UTC"), always_open=True)

    @property
    def weekly_business_time(self) -> timedelta:
        """Working time in a week with no closed dates and no DST change."""
        return self._week_total


def _since_midnight(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _merge(intervals: Intervals) -> Intervals:
    """Sort, validate and merge one weekday's intervals (end 00:00 = end of day)."""
    spans = []
    for start, end in intervals:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("Working hours are local wall-clock times; give naive times.")
        s, e = _since_midnight(start), _since_midnight(end) or DAY
        if s >= e:
            raise ValueError(f"Working interval {start}-{end} ends before it starts.")
        spans.append((s, e))
    spans.sort()
    merged: list[list[timedelta]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple(
        ((datetime.min + s).time(), MIDNIGHT if e == DAY else (datetime.min + e).time())
        for s, e in merged
    )


# --- Local wall clock → instants -----------------------------------------------------------


def _local_to_utc(naive: datetime, tz: tzinfo) -> datetime:
    """The instant a wall-clock time denotes, by the module's DST rules (see docstring)."""
    utc = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) == naive:
        return utc  # exists (for an ambiguous time, fold=0 gave the earlier occurrence)
    # Nonexistent: fold=0 read it with the offset before the change, landing after the
    # change. The change lies between the two readings; offsets change on whole seconds in
    # tzdata, so a binary search over seconds finds the first instant past the gap.
    before = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    old_offset = before.astimezone(tz).utcoffset()
    lo, hi = floor(before.timestamp()), ceil(utc.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == old_offset:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


@lru_cache(maxsize=512)
def _irregular_days(tz: tzinfo, year: int) -> tuple[date, ...]:
    """The local dates of `year` that are not 24 h long in `tz` (DST changes), sorted.

    Computed once per zone and year by converting every local midnight (about a millisecond),
    so the walkers below can tell a plain day or week without converting anything.
    Assumes no zone changes its offset and back within one local day, true of tzdata.
    """
    day = date(year, 1, 1)
    midnight = _local_to_utc(datetime.combine(day, MIDNIGHT), tz)
    irregular = []
    while day.year == year:
        following = _local_to_utc(datetime.combine(day + DAY, MIDNIGHT), tz)
        if following - midnight != DAY:
            irregular.append(day)
        day, midnight = day + DAY, following
    return tuple(irregular)


def _has_irregular_day(tz: tzinfo, first: date, stop: date) -> bool:
    """True if any local date in [first, stop) is not 24 h long."""
    for year in range(first.year, stop.year + 1):
        days = _irregular_days(tz, year)
        i = bisect.bisect_left(days, first)
        if i < len(days) and days[i] < stop:
            return True
    return False


class _Walker:
    """Day-by-day view of one calendar's open intervals.

    Local midnights are the only wall-clock times converted on ordinary days: the others are
    midnight plus an offset. A midnight is itself derived from the last converted one when no
    DST change lies between them, so a long walk converts almost nothing.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._anchor: tuple[date, datetime] | None = None

    def midnight(self, day: date) -> datetime:
        tz = self.spec.tz
        if self._anchor is not None:
            anchor_day, anchor_utc = self._anchor
            if anchor_day <= day and not _has_irregular_day(tz, anchor_day, day):
                return anchor_utc + (day - anchor_day)
        value = _local_to_utc(datetime.combine(day, MIDNIGHT), tz)
        self._anchor = (day, value)
        return value

    def is_plain_day(self, day: date) -> bool:
        """True when the day is 24 h long, so wall-clock offsets equal elapsed time."""
        return not _has_irregular_day(self.spec.tz, day, day + DAY)

    def is_plain_week(self, day: date) -> bool:
        """Seven days from `day` with no closed date and no DST change: worth the weekly total."""
        stop = day + 7 * DAY
        closed = self.spec._sorted_closed
        i = bisect.bisect_left(closed, day)
        if i < len(closed) and closed[i] < stop:
            return False
        return not _has_irregular_day(self.spec.tz, day, stop)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open intervals as UTC instants, ordered, empty ones dropped."""
        if day in self.spec.closed_dates:
            return []
        offsets = self.spec._offsets[day.weekday()]
        if not offsets:
            return []
        base = self.midnight(day)
        if self.is_plain_day(day):
            return [(base + s, base + e) for s, e in offsets]
        # A DST change falls on this day: convert each end separately.
        result = []
        for s, e in offsets:
            start = _local_to_utc(datetime.combine(day, MIDNIGHT) + s, self.spec.tz)
            end = (
                self.midnight(day + DAY)
                if e == DAY
                else _local_to_utc(datetime.combine(day, MIDNIGHT) + e, self.spec.tz)
            )
            if end > start:
                result.append((start, end))
        return result


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}.")
    return value.astimezone(UTC)


# --- Public arithmetic ---------------------------------------------------------------------


def add_business_time(start: datetime, duration: timedelta, spec: CalendarSpec) -> datetime:
    """The instant at which `duration` of business time has passed since `start`.

    * `duration == 0` returns `start` itself (in UTC), even outside working hours.
    * When the time runs out exactly at the end of an interval, the result is that end
      (Friday 17:00), not the next opening (Monday 08:00). So for every `d >= 0`,
      `business_time_between(start, add_business_time(start, d, spec), spec) == d`.
    * Negative durations and calendars with no working hours raise `ValueError`.

    Whole weeks without closed dates or DST changes are skipped in one step, so a span of
    a year costs about fifty week checks instead of 365 days of interval conversion.
    """
    start = _require_aware(start, "start")
    if duration < ZERO:
        raise ValueError("Business time to add must not be negative.")
    if duration == ZERO:
        return start
    if spec.always_open:
        return start + duration
    if spec._week_total == ZERO:
        raise ValueError("The calendar has no working hours, so the time never runs out.")

    walker = _Walker(spec)
    remaining = duration
    day = start.astimezone(spec.tz).date()
    first_day = day
    while True:
        # Strictly greater: if the remainder equals a week's worth, it must end on the last
        # interval's end (day by day below), not on the next week's first opening.
        if day > first_day and remaining > spec._week_total and walker.is_plain_week(day):
            remaining -= spec._week_total
            day += 7 * DAY
            continue
        for opens, closes in walker.intervals(day):
            if closes <= start:
                continue
            opens = max(opens, start)
            available = closes - opens
            if remaining <= available:
                return opens + remaining
            remaining -= available
        day += DAY


def add_business_days(start: date, days: int, spec: CalendarSpec) -> date:
    """The local date `days` working days after `start` ("we need five working days").

    A working day is a date with working time that is not closed; `start` itself never
    counts, so 0 returns `start` and 1 the next working day. Negative counts and calendars
    with no working hours raise `ValueError`.
    """
    if days < 0:
        raise ValueError("Working days to add must not be negative.")
    if spec.always_open:
        return start + days * DAY
    if spec._week_total == ZERO:
        raise ValueError("The calendar has no working hours, so no day is a working day.")
    day = start
    while days:
        day += DAY
        if spec._offsets[day.weekday()] and day not in spec.closed_dates:
            days -= 1
    return day


def business_time_between(a: datetime, b: datetime, spec: CalendarSpec) -> timedelta:
    """Business time from `a` to `b`: the overlap of `[a, b)` with the open intervals.

    Antisymmetric: for `b < a` it returns `-business_time_between(b, a, spec)`, so the sign
    tells the direction (useful for "overdue by"). `a == b` gives zero. It is additive:
    `between(a, b) + between(b, c) == between(a, c)` for any three instants.
    """
    a = _require_aware(a, "a")
    b = _require_aware(b, "b")
    if b < a:
        return -business_time_between(b, a, spec)
    if spec.always_open:
        return b - a

    walker = _Walker(spec)
    total = ZERO
    day = spec_first = a.astimezone(spec.tz).date()
    last = b.astimezone(spec.tz).date()
    while day <= last:
        # A week lies wholly inside (a, b) when it starts after a's date and ends (at local
        # midnight of day + 7) no later than b's date.
        if day > spec_first and day + 7 * DAY <= last and walker.is_plain_week(day):
            total += spec._week_total
            day += 7 * DAY
            continue
        for opens, closes in walker.intervals(day):
            lo, hi = max(opens, a), min(closes, b)
            if hi > lo:
                total += hi - lo
        day += DAY
    return total


def threshold_due_at(
    start: datetime,
    target: timedelta,
    pct: int,
    spec: CalendarSpec,
    *,
    elapsed: timedelta = ZERO,
) -> datetime:
    """When `pct` percent of a `target` of business time is reached, counting from `start`.

    `elapsed` is business time already consumed before `start` (an SLA clock resumed after
    a pause). The threshold is rounded up to the microsecond, so it never fires early; if it
    has already been reached, the answer is `start`.
    """
    if pct < 0:
        raise ValueError("A threshold percentage must not be negative.")
    micro = timedelta(microseconds=1)
    threshold = micro * -((-(target // micro) * pct) // 100)
    return add_business_time(start, max(threshold - elapsed, ZERO), spec)
