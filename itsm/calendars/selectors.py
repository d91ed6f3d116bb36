"""Reads of business calendars, and the bridge from a calendar row to pure arithmetic."""

from collections.abc import Iterable
from datetime import date, time
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

from itsm.calendars.arithmetic import CalendarSpec
from itsm.calendars.models import BusinessCalendar

DEFAULT_CALENDAR_NAME = "24\N{MULTIPLICATION SIGN}7"
WHOLE_DAY = ((time(0), time(0)),)


def default_years() -> range:
    """Last year to three years ahead: covers any SLA target a desk is likely to set."""
    this_year = timezone.now().year
    return range(this_year - 1, this_year + 4)


def calendar_holidays(calendar: BusinessCalendar, years: Iterable[int]) -> dict[date, str]:
    """{date: name} of the public holidays of the calendar's country/region in `years`."""
    if not calendar.holiday_country:
        return {}
    return dict(
        holidays.country_holidays(
            calendar.holiday_country,
            subdiv=calendar.holiday_subdivision or None,
            years=list(years),
        )
    )


def calendar_spec(calendar: BusinessCalendar, years: Iterable[int] | None = None) -> CalendarSpec:
    """The calendar as a `CalendarSpec` for `add_business_time` / `business_time_between`.

    Public holidays are generated for `years` only (default: `default_years()`), so pass
    years covering the span you compute over; dates outside them count as ordinary days.
    Custom closed dates are all included. Reads `working_intervals` and `closed_dates`
    through the related managers, so a caller handling many calendars can prefetch them.
    A 24x7 calendar without holidays or closed dates is `always_open`; with them, it is
    open all day every day except on those dates.
    """
    years = list(default_years() if years is None else years)
    closed = set(calendar_holidays(calendar, years))
    closed.update(row.date for row in calendar.closed_dates.all())
    tz = ZoneInfo(calendar.timezone)
    weekly: dict[int, list[tuple[time, time]]] = {}
    if calendar.is_24x7:
        if not closed:
            return CalendarSpec(tz=tz, always_open=True)
        weekly = {day: list(WHOLE_DAY) for day in range(7)}
    else:
        for interval in calendar.working_intervals.all():
            weekly.setdefault(interval.weekday, []).append((interval.start_time, interval.end_time))
    return CalendarSpec(
        tz=tz,
        weekly={day: tuple(spans) for day, spans in weekly.items()},
        closed_dates=frozenset(closed),
    )


def calendar_get_default() -> BusinessCalendar:
    """The 24x7 calendar created by the initial data migration."""
    return BusinessCalendar.objects.get(name=DEFAULT_CALENDAR_NAME)
