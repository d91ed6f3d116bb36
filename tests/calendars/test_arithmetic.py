"""Table-driven business-time cases: weekends, lunch, holidays, DST, long spans.

Instants are written as ISO strings with their UTC offset, so every DST case is unambiguous.
Weekdays in late 2026: 2026-11-20 is a Friday, 2026-11-23 a Monday, 2026-12-24 a Thursday.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from itsm.calendars.arithmetic import (
    CalendarSpec,
    add_business_days,
    add_business_time,
    business_time_between,
    threshold_due_at,
)
from tests.calendars.specs import BERLIN, SPECS


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


H = timedelta(hours=1)
M = timedelta(minutes=1)

ADD_CASES = [
    # (id, calendar, start, business time, expected)
    ("inside-hours", "office", "2026-11-23T09:00+01:00", H, "2026-11-23T10:00+01:00"),
    ("over-lunch", "office", "2026-11-23T11:30+01:00", H, "2026-11-23T13:30+01:00"),
    ("lands-on-lunch-start", "office", "2026-11-23T11:00+01:00", H, "2026-11-23T12:00+01:00"),
    ("starts-in-lunch", "office", "2026-11-23T12:30+01:00", H, "2026-11-23T14:00+01:00"),
    ("before-opening", "office", "2026-11-23T06:00+01:00", H, "2026-11-23T09:00+01:00"),
    ("lands-on-friday-close", "office", "2026-11-20T16:00+01:00", H, "2026-11-20T17:00+01:00"),
    ("over-weekend", "office", "2026-11-20T16:00+01:00", H + M, "2026-11-23T08:01+01:00"),
    ("starts-on-saturday", "office", "2026-11-21T10:00+01:00", 30 * M, "2026-11-23T08:30+01:00"),
    ("after-friday-close", "office", "2026-11-20T18:00+01:00", 8 * H, "2026-11-23T17:00+01:00"),
    ("christmas-holiday", "office", "2026-12-24T16:00+01:00", 2 * H, "2026-12-28T09:00+01:00"),
    (
        "custom-closed-and-new-year",
        "office",
        "2026-12-30T16:00+01:00",
        2 * H,
        "2027-01-04T09:00+01:00",
    ),
    ("zero-outside-hours", "office", "2026-11-21T10:00+01:00", 0 * H, "2026-11-21T10:00+01:00"),
    ("zero-inside-hours", "office", "2026-11-23T09:15+01:00", 0 * H, "2026-11-23T09:15+01:00"),
    # 50 working days minus three closed weekdays (Dec 25, Dec 31, Jan 1).
    ("ten-weeks-holidays", "office", "2026-11-23T08:00+01:00", 400 * H, "2027-02-03T17:00+01:00"),
    # Eight weeks across the spring change: local hours stay 08-17.
    (
        "eight-weeks-over-dst",
        "office_no_holidays",
        "2026-03-02T08:00+01:00",
        320 * H,
        "2026-04-24T17:00+02:00",
    ),
    (
        "a-year-of-hours",
        "office_no_holidays",
        "2026-01-05T08:00+01:00",
        52 * 40 * H,
        "2027-01-01T17:00+01:00",
    ),
    # A whole local day around a DST change is 23 h (spring) or 25 h (autumn) of real time.
    (
        "berlin-spring-24h",
        "fullday_berlin",
        "2026-03-28T12:00+01:00",
        24 * H,
        "2026-03-29T13:00+02:00",
    ),
    (
        "berlin-autumn-24h",
        "fullday_berlin",
        "2026-10-24T12:00+02:00",
        24 * H,
        "2026-10-25T11:00+01:00",
    ),
    (
        "new-york-spring-24h",
        "fullday_new_york",
        "2026-03-07T12:00-05:00",
        24 * H,
        "2026-03-08T13:00-04:00",
    ),
    (
        "new-york-autumn-24h",
        "fullday_new_york",
        "2026-10-31T12:00-04:00",
        24 * H,
        "2026-11-01T11:00-05:00",
    ),
    # 01:00-04:00 loses an hour in spring, gains one in autumn.
    (
        "berlin-night-spring",
        "night_berlin",
        "2026-03-29T00:00+01:00",
        2 * H,
        "2026-03-29T04:00+02:00",
    ),
    (
        "berlin-night-spring-spills",
        "night_berlin",
        "2026-03-29T00:00+01:00",
        2 * H + M,
        "2026-03-30T01:01+02:00",
    ),
    (
        "berlin-night-autumn",
        "night_berlin",
        "2026-10-25T00:00+02:00",
        4 * H,
        "2026-10-25T04:00+01:00",
    ),
    # The repeated hour is counted twice: 3 h after 01:00 CEST is 03:00 CET.
    (
        "berlin-night-repeated",
        "night_berlin",
        "2026-10-25T00:00+02:00",
        3 * H,
        "2026-10-25T03:00+01:00",
    ),
    (
        "ny-night-spring",
        "night_new_york",
        "2026-03-08T00:00-05:00",
        2 * H,
        "2026-03-08T04:00-04:00",
    ),
    (
        "ny-night-autumn",
        "night_new_york",
        "2026-11-01T00:00-04:00",
        4 * H,
        "2026-11-01T04:00-05:00",
    ),
    # One hour after 01:00 EDT is the second 01:00 (EST).
    ("ny-night-repeated", "night_new_york", "2026-11-01T00:00-04:00", H, "2026-11-01T01:00-05:00"),
    # 02:00-02:30 never happens that night; 02:45-05:00 opens at 03:00 CEST.
    ("berlin-gap", "gap_berlin", "2026-03-29T00:00+01:00", M, "2026-03-29T03:01+02:00"),
    (
        "berlin-gap-next-sunday",
        "gap_berlin",
        "2026-03-29T00:00+01:00",
        2 * H + M,
        "2026-04-05T02:01+02:00",
    ),
    ("always-open", "always_open", "2026-03-28T12:00+01:00", 24 * H, "2026-03-29T13:00+02:00"),
]


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [case[1:] for case in ADD_CASES],
    ids=[case[0] for case in ADD_CASES],
)
def test_adding_business_time_lands_on_the_expected_instant(calendar, start, duration, expected):
    spec = SPECS[calendar]
    result = add_business_time(at(start), duration, spec)
    assert result == at(expected)
    assert result.utcoffset() == timedelta(0)
    assert business_time_between(at(start), result, spec) == duration


BETWEEN_CASES = [
    # (id, calendar, a, b, expected business time)
    ("same-instant", "office", "2026-11-23T09:00+01:00", "2026-11-23T09:00+01:00", 0 * H),
    ("across-lunch", "office", "2026-11-23T11:00+01:00", "2026-11-23T14:00+01:00", 2 * H),
    ("inside-lunch", "office", "2026-11-23T12:10+01:00", "2026-11-23T12:50+01:00", 0 * H),
    ("weekend-only", "office", "2026-11-20T17:00+01:00", "2026-11-23T08:00+01:00", 0 * H),
    ("one-work-week", "office", "2026-11-23T00:00+01:00", "2026-11-30T00:00+01:00", 40 * H),
    ("reversed-is-negative", "office", "2026-11-23T14:00+01:00", "2026-11-23T11:00+01:00", -2 * H),
    ("christmas-week", "office", "2026-12-21T00:00+01:00", "2026-12-28T00:00+01:00", 32 * H),
    ("new-year-week", "office", "2026-12-28T00:00+01:00", "2027-01-04T00:00+01:00", 24 * H),
    (
        "a-year",
        "office_no_holidays",
        "2026-01-05T00:00+01:00",
        "2027-01-04T00:00+01:00",
        52 * 40 * H,
    ),
    ("spring-day", "fullday_berlin", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", 23 * H),
    ("autumn-day", "fullday_berlin", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", 25 * H),
    (
        "ny-spring-day",
        "fullday_new_york",
        "2026-03-08T00:00-05:00",
        "2026-03-09T00:00-04:00",
        23 * H,
    ),
    (
        "ny-autumn-day",
        "fullday_new_york",
        "2026-11-01T00:00-04:00",
        "2026-11-02T00:00-05:00",
        25 * H,
    ),
    ("night-spring", "night_berlin", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", 2 * H),
    ("night-autumn", "night_berlin", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", 4 * H),
    (
        "ny-night-spring",
        "night_new_york",
        "2026-03-08T00:00-05:00",
        "2026-03-09T00:00-04:00",
        2 * H,
    ),
    (
        "ny-night-autumn",
        "night_new_york",
        "2026-11-01T00:00-04:00",
        "2026-11-02T00:00-05:00",
        4 * H,
    ),
    ("gap-sunday", "gap_berlin", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", 2 * H),
    (
        "ordinary-gap-sunday",
        "gap_berlin",
        "2026-04-05T00:00+02:00",
        "2026-04-06T00:00+02:00",
        2 * H + 45 * M,
    ),
    ("always-open", "always_open", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", 25 * H),
]


@pytest.mark.parametrize(
    ("calendar", "a", "b", "expected"),
    [case[1:] for case in BETWEEN_CASES],
    ids=[case[0] for case in BETWEEN_CASES],
)
def test_business_time_between_two_instants(calendar, a, b, expected):
    assert business_time_between(at(a), at(b), SPECS[calendar]) == expected


def test_the_instant_may_be_given_in_any_timezone():
    tokyo = ZoneInfo("Asia/Tokyo")
    start = at("2026-11-23T09:00+01:00").astimezone(tokyo)
    assert add_business_time(start, H, SPECS["office"]) == at("2026-11-23T10:00+01:00")


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (0, "2026-11-23T08:00+01:00"),
        (50, "2026-11-23T12:00+01:00"),
        (75, "2026-11-23T15:00+01:00"),
        (100, "2026-11-23T17:00+01:00"),
        (150, "2026-11-24T12:00+01:00"),
    ],
)
def test_threshold_due_at_is_the_percentage_of_the_target_in_business_time(pct, expected):
    due = threshold_due_at(at("2026-11-23T08:00+01:00"), 8 * H, pct, SPECS["office"])
    assert due == at(expected)


def test_threshold_counts_business_time_already_elapsed_before_a_pause():
    resumed = at("2026-11-24T08:00+01:00")
    due = threshold_due_at(resumed, 8 * H, 75, SPECS["office"], elapsed=4 * H)
    assert due == at("2026-11-24T10:00+01:00")
    assert threshold_due_at(resumed, 8 * H, 50, SPECS["office"], elapsed=5 * H) == resumed


def test_threshold_rounds_up_to_the_microsecond_so_it_never_fires_early():
    start = at("2026-11-23T08:00+01:00")
    due = threshold_due_at(start, timedelta(microseconds=3), 50, SPECS["always_open"])
    assert due - start == timedelta(microseconds=2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: add_business_time(datetime(2026, 11, 23, 9), H, SPECS["office"]),
            "timezone-aware",
        ),
        (lambda: add_business_time(at("2026-11-23T09:00+01:00"), -H, SPECS["office"]), "negative"),
        (
            lambda: business_time_between(
                at("2026-11-23T09:00+01:00"), datetime(2026, 11, 24), SPECS["office"]
            ),
            "timezone-aware",
        ),
        (
            lambda: add_business_time(at("2026-11-23T09:00+01:00"), H, CalendarSpec(tz=BERLIN)),
            "no working hours",
        ),
        (
            lambda: CalendarSpec(tz=BERLIN, weekly={0: ((time(17), time(8)),)}),
            "ends before it starts",
        ),
        (lambda: CalendarSpec(tz=BERLIN, weekly={7: ((time(8), time(17)),)}), "Weekday"),
    ],
)
def test_impossible_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_overlapping_and_touching_intervals_are_merged_and_midnight_ends_the_day():
    spec = CalendarSpec(
        tz=BERLIN,
        weekly={
            0: ((time(13), time(17)), (time(8), time(12)), (time(11), time(13))),
            1: ((time(22), time(0)),),
        },
    )
    assert spec.weekly == {0: ((time(8), time(17)),), 1: ((time(22), time(0)),)}
    assert spec.weekly_business_time == 11 * H


def test_a_late_shift_ending_at_midnight_runs_into_the_next_day():
    spec = CalendarSpec(tz=BERLIN, weekly={0: ((time(22), time(0)),), 1: ((time(0), time(2)),)})
    start = at("2026-11-23T23:00+01:00")
    assert add_business_time(start, H, spec) == at("2026-11-24T00:00+01:00")
    assert add_business_time(start, 2 * H, spec) == at("2026-11-24T01:00+01:00")
    assert business_time_between(start, at("2026-11-24T05:00+01:00"), spec) == 3 * H


def test_a_year_of_business_time_takes_well_under_50_ms():
    import time as clock

    spec = SPECS["office"]
    start = at("2026-01-05T08:00+01:00")
    began = clock.perf_counter()
    end = add_business_time(start, 52 * 40 * H, spec)
    business_time_between(start, end, spec)
    assert clock.perf_counter() - began < 0.05


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        ("office", date(2026, 12, 2), 0, date(2026, 12, 2)),
        ("office", date(2026, 12, 2), 1, date(2026, 12, 3)),
        # Wednesday + 5 working days: the weekend does not count.
        ("office", date(2026, 12, 2), 5, date(2026, 12, 9)),
        # From a Saturday, Monday is the first working day.
        ("office", date(2026, 12, 5), 1, date(2026, 12, 7)),
        # Christmas Day is closed: Friday 18th + 5 lands on Monday 28th.
        ("office", date(2026, 12, 18), 5, date(2026, 12, 28)),
        ("always_open", date(2026, 12, 2), 5, date(2026, 12, 7)),
    ],
)
def test_adding_business_days_counts_only_working_days(calendar, start, days, expected):
    assert add_business_days(start, days, SPECS[calendar]) == expected


def test_adding_negative_business_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_days(date(2026, 12, 2), -1, SPECS["office"])
