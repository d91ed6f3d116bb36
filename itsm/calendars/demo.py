"""Demo business calendar: a German office with a lunch break and Bavarian holidays."""

from datetime import date, time

from itsm.accounts.models import User
from itsm.calendars.models import BusinessCalendar
from itsm.calendars.services import business_calendar_create

GERMANY_OFFICE = "Germany office hours"
OFFICE_DAY = ((time(8), time(12)), (time(13), time(17)))


def seed(stdout) -> None:
    if not BusinessCalendar.objects.filter(name=GERMANY_OFFICE).exists():
        business_calendar_create(
            actor=User.objects.filter(email="admin@example.com").first(),
            name=GERMANY_OFFICE,
            timezone="Europe/Berlin",
            weekly={day: OFFICE_DAY for day in range(5)},
            holiday_country="DE",
            holiday_subdivision="BY",
            description="Munich office: Mon-Fri 08:00-12:00 and 13:00-17:00, Bavarian public "
            "holidays, closed on Christmas Eve and New Year's Eve 2026.",
            closed_dates=[
                (date(2026, 12, 24), "Christmas Eve"),
                (date(2026, 12, 31), "New Year's Eve"),
            ],
        )
    stdout.write(f"Demo calendars: {BusinessCalendar.objects.count()} business calendars.")
