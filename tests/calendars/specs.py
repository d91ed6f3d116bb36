"""Calendars shared by the arithmetic tests, as pure specs (no database)."""

from datetime import date, time
from zoneinfo import ZoneInfo

from itsm.calendars.arithmetic import CalendarSpec

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

OFFICE_DAY = ((time(8), time(12)), (time(13), time(17)))
WHOLE_DAY = ((time(0), time(0)),)
NIGHT = ((time(1), time(4)),)

SPECS = {
    # Mon-Fri 08-12 + 13-17 in Berlin; Christmas (DE), New Year (DE) and one custom closure.
    "office": CalendarSpec(
        tz=BERLIN,
        weekly={day: OFFICE_DAY for day in range(5)},
        closed_dates=frozenset(
            {date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 31), date(2027, 1, 1)}
        ),
    ),
    "office_no_holidays": CalendarSpec(tz=BERLIN, weekly={day: OFFICE_DAY for day in range(5)}),
    # Every local hour of every day, as intervals (so DST days really are 23 h or 25 h).
    "fullday_berlin": CalendarSpec(tz=BERLIN, weekly={day: WHOLE_DAY for day in range(7)}),
    "fullday_new_york": CalendarSpec(tz=NEW_YORK, weekly={day: WHOLE_DAY for day in range(7)}),
    # 01:00-04:00 every night: contains the hour that is skipped or repeated.
    "night_berlin": CalendarSpec(tz=BERLIN, weekly={day: NIGHT for day in range(7)}),
    "night_new_york": CalendarSpec(tz=NEW_YORK, weekly={day: NIGHT for day in range(7)}),
    # Sunday intervals wholly inside and straddling Berlin's spring-forward gap (02:00-03:00).
    "gap_berlin": CalendarSpec(
        tz=BERLIN, weekly={6: ((time(2, 0), time(2, 30)), (time(2, 45), time(5, 0)))}
    ),
    "always_open": CalendarSpec.twenty_four_seven(BERLIN),
}
