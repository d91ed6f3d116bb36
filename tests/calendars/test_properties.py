"""Property-based checks (hypothesis) that `add_business_time` and `business_time_between`
agree with each other on arbitrary calendars, timezones and spans."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsm.calendars import arithmetic
from itsm.calendars.arithmetic import CalendarSpec, add_business_time, business_time_between

# Zones with ordinary DST, 30-minute DST (Lord Howe), southern-hemisphere DST and none.
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
    "UTC",
]

minutes_of_day = st.integers(min_value=0, max_value=24 * 60)


def as_time(minutes: int) -> time:
    return time(0) if minutes == 24 * 60 else time(minutes // 60, minutes % 60)


@st.composite
def day_intervals(draw):
    """0-3 disjoint intervals in a day, in minutes; an end of 24:00 is written as 00:00."""
    points = sorted(draw(st.sets(minutes_of_day, min_size=0, max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    return tuple((as_time(points[i]), as_time(points[i + 1])) for i in range(0, len(points), 2))


@st.composite
def specs(draw):
    weekly = {day: draw(day_intervals()) for day in range(7)}
    if not any(weekly.values()):
        weekly[draw(st.integers(0, 6))] = ((time(9), time(17)),)
    closed = draw(
        st.frozensets(
            st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), max_size=40
        )
    )
    return CalendarSpec(
        tz=ZoneInfo(draw(st.sampled_from(ZONES))), weekly=weekly, closed_dates=closed
    )


any_spec = st.one_of(
    specs(), st.sampled_from(ZONES).map(lambda z: CalendarSpec.twenty_four_seven(ZoneInfo(z)))
)
instants = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120))

RELAXED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(spec=any_spec, start=instants, duration=durations)
def test_between_undoes_add(spec, start, duration):
    end = add_business_time(start, duration, spec)
    assert business_time_between(start, end, spec) == duration
    assert end >= start
    assert end.tzinfo is not None and end.utcoffset() == timedelta(0)


@RELAXED
@given(spec=any_spec, start=instants, d1=durations, d2=durations)
def test_add_is_monotonic_in_the_duration(spec, start, d1, d2):
    d1, d2 = sorted([d1, d2])
    assert add_business_time(start, d1, spec) <= add_business_time(start, d2, spec)


@RELAXED
@given(spec=any_spec, points=st.lists(instants, min_size=3, max_size=3))
def test_between_is_additive_and_antisymmetric(spec, points):
    a, b, c = sorted(points)
    ab, bc, ac = (business_time_between(x, y, spec) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert business_time_between(c, a, spec) == -ac
    assert timedelta(0) <= ac <= c - a


@RELAXED
@given(spec=specs(), start=instants, duration=durations)
def test_skipping_whole_weeks_gives_the_same_answer_as_walking_day_by_day(spec, start, duration):
    fast_end = add_business_time(start, duration, spec)
    fast_between = business_time_between(start, fast_end + timedelta(days=3), spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arithmetic._Walker, "is_plain_week", lambda self, day: False)
        assert add_business_time(start, duration, spec) == fast_end
        assert business_time_between(start, fast_end + timedelta(days=3), spec) == fast_between


@RELAXED
@given(spec=specs(), start=instants, duration=durations)
def test_add_never_ends_in_closed_time_unless_it_is_an_interval_end(spec, start, duration):
    """GIVEN any calendar WHEN time is added THEN the result is inside or at the end of an
    interval, or the start itself for a zero duration: one microsecond earlier was open."""
    end = add_business_time(start, duration, spec)
    if duration:
        tick = timedelta(microseconds=1)
        assert business_time_between(end - tick, end, spec) == tick


def reference_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The documented DST rule, written independently: an existing wall time is its first
    occurrence; a nonexistent one is the first minute at which the clock shows a later time."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    instant = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    while instant.astimezone(tz).replace(tzinfo=None) < naive:
        instant += timedelta(minutes=1)
    return instant


def reference_between(a: datetime, b: datetime, spec: CalendarSpec) -> timedelta:
    """Business time by converting every interval of every day, no shortcuts."""
    total = timedelta(0)
    day = a.astimezone(spec.tz).date() - timedelta(days=1)
    while day <= b.astimezone(spec.tz).date():
        if day not in spec.closed_dates:
            for start, end in spec.weekly.get(day.weekday(), ()):
                opens = reference_instant(day, start, spec.tz)
                closes = (
                    reference_instant(day + timedelta(days=1), time(0), spec.tz)
                    if end == time(0)
                    else reference_instant(day, end, spec.tz)
                )
                overlap = min(closes, b) - max(opens, a)
                total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


@RELAXED
@given(
    spec=specs(),
    a=instants,
    span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
)
def test_between_matches_a_plain_interval_by_interval_reference(spec, a, span):
    assert business_time_between(a, a + span, spec) == reference_between(a, a + span, spec)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("year", [2026, 2027])
def test_a_whole_local_day_calendar_counts_exactly_the_elapsed_time(zone, year):
    tz = ZoneInfo(zone)
    spec = CalendarSpec(tz=tz, weekly={day: ((time(0), time(0)),) for day in range(7)})
    a = datetime(year, 1, 1, tzinfo=tz)
    b = datetime(year + 1, 1, 1, tzinfo=tz)
    assert business_time_between(a, b, spec) == b - a
    assert add_business_time(a, b - a, spec) == b
