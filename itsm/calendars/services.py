"""Writes to business calendars. The admin edits calendars directly (reference data); code
that creates them (demo data, imports, tests) comes through here."""

from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from django.db import transaction

from itsm.audit.services import audit_record
from itsm.calendars.models import BusinessCalendar, ClosedDate, WorkingInterval


@transaction.atomic
def business_calendar_create(
    *,
    actor: Any,
    name: str,
    timezone: str,
    weekly: Mapping[int, Iterable[tuple[time, time]]] | None = None,
    is_24x7: bool = False,
    holiday_country: str = "",
    holiday_subdivision: str = "",
    description: str = "",
    closed_dates: Iterable[tuple[date, str]] = (),
) -> BusinessCalendar:
    """Create a calendar with its weekly intervals and closed dates; audited as `created`.

    `weekly` maps weekday (0 = Monday) to (start, end) wall-clock pairs; each row is
    validated like the admin form would, so an interval ending before it starts is refused
    with a ValidationError.
    """
    calendar = BusinessCalendar(
        name=name,
        timezone=timezone,
        is_24x7=is_24x7,
        holiday_country=holiday_country,
        holiday_subdivision=holiday_subdivision,
        description=description,
    )
    calendar.full_clean()
    calendar.save()
    for weekday, spans in (weekly or {}).items():
        for start, end in spans:
            interval = WorkingInterval(
                calendar=calendar, weekday=weekday, start_time=start, end_time=end
            )
            interval.full_clean()
            interval.save()
    for day, reason in closed_dates:
        closed = ClosedDate(calendar=calendar, date=day, reason=reason)
        closed.full_clean()
        closed.save()
    audit_record(record=calendar, actor=actor, action="created")
    return calendar
