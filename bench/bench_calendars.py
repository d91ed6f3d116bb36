"""Business-time arithmetic speed: pure Python, no database needed.

Measures `add_business_time` for a 2000-business-hour target (about a year of office time)
on the two-interval calendar (Mon-Fri 08:00-12:00 + 13:00-17:00, Europe/Berlin, Bavarian
holidays 2026-2028) and `business_time_between` over the same span; prints the median of
200 runs each, plus the day-by-day walk without week skipping for comparison.

Run: .venv/bin/python bench/bench_calendars.py
"""

import statistics
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from itsm.calendars import arithmetic
from itsm.calendars.arithmetic import (
    CalendarSpec,
    add_business_time,
    business_time_between,
)

RUNS = 200
BERLIN = ZoneInfo("Europe/Berlin")
SPEC = CalendarSpec(
    tz=BERLIN,
    weekly={day: ((time(8), time(12)), (time(13), time(17))) for day in range(5)},
    closed_dates=frozenset(holidays.country_holidays("DE", subdiv="BY", years=[2026, 2027, 2028]))
    | {date(2026, 12, 31)},
)
START = datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)
TARGET = timedelta(hours=2000)


def median_ms(function) -> float:
    timings = []
    for _ in range(RUNS):
        began = clock.perf_counter()
        function()
        timings.append(clock.perf_counter() - began)
    return statistics.median(timings) * 1000


if __name__ == "__main__":
    end = add_business_time(START, TARGET, SPEC)
    assert business_time_between(START, end, SPEC) == TARGET
    print(f"2000 business hours from {START:%Y-%m-%d %H:%M %Z} end at {end.astimezone(BERLIN)}")
    print(
        f"add_business_time      median of {RUNS}: {median_ms(lambda: add_business_time(START, TARGET, SPEC)):.2f} ms"
    )
    print(
        f"business_time_between  median of {RUNS}: {median_ms(lambda: business_time_between(START, end, SPEC)):.2f} ms"
    )
    arithmetic._Walker.is_plain_week = lambda self, day: False  # day-by-day, for comparison
    print(
        f"add, day by day        median of {RUNS}: {median_ms(lambda: add_business_time(START, TARGET, SPEC)):.2f} ms"
    )
