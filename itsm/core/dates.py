"""The product's one way to show a moment, a day and a duration to a person.

Every page, e-mail body and Python-built fragment formats dates through these functions (the
templates through the `when`, `day` and `duration` filters), so "2 Dec 2026, 14:05" reads the
same everywhere. Moments are shown in the active timezone, which
`itsm.accounts.middleware.UserTimezoneMiddleware` sets to the viewer's own.
"""

import functools
from datetime import date, datetime, timedelta

from django.utils import timezone, translation
from django.utils.dates import MONTHS_3

# Django's date formats "j M Y, H:i" and "j M Y", written out by hand: a queue page formats
# a hundred moments, and Django's general formatter costs ten times as much per call.


@functools.cache
def _month(month: int, language: str | None) -> str:
    # MONTHS_3 is translated, in lower case: "M" is its title case, as in Django's formatter.
    # Kept per language: looking the translation up was most of a queue page's date cost.
    return str(MONTHS_3[month]).title()


def _day_month_year(value: date) -> str:
    return f"{value.day} {_month(value.month, translation.get_language())} {value.year}"


def format_datetime(value: datetime | date | None) -> str:
    """ "2 Dec 2026, 14:05" in the active timezone; a plain date gets `format_date`."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{_day_month_year(value)}, {value.hour:02d}:{value.minute:02d}"


def format_date(value: datetime | date | None) -> str:
    """ "2 Dec 2026"; a moment is first moved into the active timezone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return _day_month_year(value)


def format_duration(value: timedelta | None) -> str:
    """ "less than a minute", "12 min", "3 h 5 min", "2 d 4 h": the two largest units.

    static/js/elapsed.js writes the same words when it keeps a duration ticking.
    """
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "less than a minute"


def format_minutes(value: int | None) -> str:
    """Time worked: "45 min", "1 h 30 min", "26 h" — hours, never days (a day of work is
    not 24 hours)."""
    if value is None:
        return ""
    hours, minutes = divmod(max(0, int(value)), 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
