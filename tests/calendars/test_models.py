"""Calendars in the database: default rows, validation, constraints, and calendar_spec."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from itsm.audit.models import AuditEvent
from itsm.calendars import demo
from itsm.calendars.arithmetic import add_business_time, business_time_between
from itsm.calendars.models import BusinessCalendar, ClosedDate, WorkingInterval
from itsm.calendars.selectors import calendar_get_default, calendar_holidays, calendar_spec
from itsm.calendars.services import business_calendar_create

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
OFFICE_DAY = ((time(8), time(12)), (time(13), time(17)))


@pytest.fixture
def bavaria(admin_user):
    return business_calendar_create(
        actor=admin_user,
        name="Munich office",
        timezone="Europe/Berlin",
        weekly={day: OFFICE_DAY for day in range(5)},
        holiday_country="DE",
        holiday_subdivision="BY",
        closed_dates=[(date(2026, 12, 31), "New Year's Eve")],
    )


def test_the_data_migration_creates_a_24x7_calendar_that_is_always_open():
    calendar = calendar_get_default()
    assert calendar.name == "24\N{MULTIPLICATION SIGN}7" and calendar.is_24x7
    spec = calendar_spec(calendar, [2026])
    assert spec.always_open
    start = datetime(2026, 12, 25, 3, tzinfo=BERLIN)
    assert add_business_time(start, timedelta(hours=30), spec) == start + timedelta(hours=30)


def test_the_data_migration_creates_standard_business_hours_in_london():
    calendar = BusinessCalendar.objects.get(name="Standard business hours")
    assert calendar.timezone == "Europe/London"
    assert sorted(calendar.working_intervals.values_list("weekday", "start_time", "end_time")) == [
        (day, time(8), time(17)) for day in range(5)
    ]
    spec = calendar_spec(calendar, [2026])
    assert spec.weekly_business_time == timedelta(hours=45)
    # Christmas and Boxing Day (moved to Monday 28th) are bank holidays in England.
    christmas_week = business_time_between(
        datetime(2026, 12, 21, tzinfo=LONDON), datetime(2026, 12, 28, tzinfo=LONDON), spec
    )
    assert christmas_week == timedelta(hours=4 * 9)
    assert date(2026, 12, 28) in spec.closed_dates


def test_calendar_spec_includes_regional_holidays_and_custom_closed_dates(bavaria):
    spec = calendar_spec(bavaria, [2026, 2027])
    assert date(2026, 1, 6) in spec.closed_dates  # Epiphany: Bavaria, not all of Germany
    assert date(2026, 12, 25) in spec.closed_dates
    assert date(2027, 1, 1) in spec.closed_dates
    assert date(2026, 12, 31) in spec.closed_dates  # the custom closure
    assert spec.tz == BERLIN
    assert spec.weekly[0] == OFFICE_DAY and 5 not in spec.weekly


def test_holidays_follow_the_region_chosen():
    national = BusinessCalendar(
        name="Berlin office", timezone="Europe/Berlin", holiday_country="DE"
    )
    assert date(2026, 1, 6) not in calendar_holidays(national, [2026])
    assert date(2026, 10, 3) in calendar_holidays(national, [2026])


def test_calendar_spec_generates_holidays_only_for_the_years_asked(bavaria):
    spec = calendar_spec(bavaria, [2026])
    assert date(2027, 12, 25) not in spec.closed_dates


def test_business_time_over_christmas_on_the_bavarian_calendar(bavaria):
    spec = calendar_spec(bavaria, [2026, 2027])
    due = add_business_time(datetime(2026, 12, 23, 16, tzinfo=BERLIN), timedelta(hours=3), spec)
    # Wed 23rd 16-17, Thu 24th 08-10: Christmas Eve is an ordinary day in Bavaria's list.
    assert due == datetime(2026, 12, 24, 10, tzinfo=BERLIN)
    due = add_business_time(datetime(2026, 12, 30, 16, tzinfo=BERLIN), timedelta(hours=2), spec)
    # 31st is closed (custom), 1 Jan is a holiday, then a weekend: Monday 4 Jan 09:00.
    assert due == datetime(2027, 1, 4, 9, tzinfo=BERLIN)


def test_a_24x7_calendar_with_closed_dates_is_open_all_day_except_on_them(admin_user):
    calendar = business_calendar_create(
        actor=admin_user,
        name="Plant",
        timezone="Europe/Berlin",
        is_24x7=True,
        closed_dates=[(date(2026, 12, 25), "Plant shutdown")],
    )
    spec = calendar_spec(calendar, [2026])
    assert not spec.always_open
    christmas = business_time_between(
        datetime(2026, 12, 24, 12, tzinfo=BERLIN), datetime(2026, 12, 26, 12, tzinfo=BERLIN), spec
    )
    assert christmas == timedelta(hours=24)


def test_creating_a_calendar_is_audited(bavaria, admin_user):
    assert AuditEvent.objects.filter(
        record_id=bavaria.pk, action="created", actor=admin_user
    ).exists()
    assert bavaria.working_intervals.count() == 10


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"timezone": "Europe/Berlim"}, "timezone", "not a time zone we know"),
        (
            {"holiday_country": "XX"},
            "holiday_country",
            "Public holidays for “XX” are not available",
        ),
        (
            {"holiday_country": "DE", "holiday_subdivision": "ZZ"},
            "holiday_subdivision",
            "“ZZ” is not a region of DE",
        ),
        ({"holiday_subdivision": "BY"}, "holiday_subdivision", "Choose a holiday country"),
    ],
)
def test_calendar_validation_explains_the_problem_in_plain_words(fields, field, message):
    calendar = BusinessCalendar(name="Broken", **{"timezone": "UTC", **fields})
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert any(message in text for text in error.value.message_dict[field])


def test_an_interval_ending_before_it_starts_is_refused_by_validation_and_database():
    calendar = calendar_get_default()
    interval = WorkingInterval(calendar=calendar, weekday=0, start_time=time(17), end_time=time(8))
    with pytest.raises(ValidationError, match="must end after it starts"):
        interval.full_clean()
    with pytest.raises(IntegrityError):
        interval.save()


def test_an_interval_may_end_at_midnight():
    calendar = calendar_get_default()
    interval = WorkingInterval(calendar=calendar, weekday=4, start_time=time(22), end_time=time(0))
    interval.full_clean()
    interval.save()
    assert str(interval) == "Friday 22:00-00:00"


def test_a_date_can_be_closed_only_once_per_calendar():
    calendar = calendar_get_default()
    ClosedDate.objects.create(calendar=calendar, date=date(2026, 5, 1), reason="Strike")
    duplicate = ClosedDate(calendar=calendar, date=date(2026, 5, 1), reason="Again")
    with pytest.raises(ValidationError, match="already closed"):
        duplicate.full_clean()


def test_the_demo_calendar_is_created_once(admin_user):
    demo.seed(StringIO())
    demo.seed(StringIO())
    calendar = BusinessCalendar.objects.get(name=demo.GERMANY_OFFICE)
    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("DE", "BY")
    assert calendar.working_intervals.count() == 10
    spec = calendar_spec(calendar, [2026])
    assert spec.weekly_business_time == timedelta(hours=40)
