"""The calendar admin: intervals and closed dates edited inline, overlaps refused."""

import pytest

from itsm.calendars.models import BusinessCalendar
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401  (default calendars back)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/calendars/businesscalendar/add/"


def calendar_form(intervals, closed=()):
    data = {
        "name": "Support desk",
        "timezone": "Europe/Berlin",
        "holiday_country": "DE",
        "holiday_subdivision": "",
        "description": "",
        "working_intervals-TOTAL_FORMS": str(len(intervals)),
        "working_intervals-INITIAL_FORMS": "0",
        "closed_dates-TOTAL_FORMS": str(len(closed)),
        "closed_dates-INITIAL_FORMS": "0",
    }
    for i, (weekday, start, end) in enumerate(intervals):
        data |= {
            f"working_intervals-{i}-weekday": str(weekday),
            f"working_intervals-{i}-start_time": start,
            f"working_intervals-{i}-end_time": end,
        }
    for i, (day, reason) in enumerate(closed):
        data |= {f"closed_dates-{i}-date": day, f"closed_dates-{i}-reason": reason}
    return data


def test_admin_creates_a_calendar_with_inline_intervals_and_closed_dates(client_as, admin_user):
    response = client_as(admin_user).post(
        ADD_URL,
        calendar_form(
            [(0, "08:00", "12:00"), (0, "13:00", "17:00"), (5, "22:00", "00:00")],
            [("2026-12-31", "Year-end closure")],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = BusinessCalendar.objects.get(name="Support desk")
    assert calendar.working_intervals.count() == 3
    assert calendar.closed_dates.get().reason == "Year-end closure"


def test_admin_refuses_overlapping_intervals_on_one_weekday(client_as, admin_user):
    response = client_as(admin_user).post(
        ADD_URL, calendar_form([(0, "08:00", "12:00"), (0, "11:00", "17:00")])
    )
    assert response.status_code == 200
    assert "On Monday the interval starting 08:00 overlaps the one starting 11:00" in (
        response.content.decode()
    )
    assert not BusinessCalendar.objects.filter(name="Support desk").exists()


def test_admin_shows_a_plain_message_for_an_interval_ending_before_it_starts(client_as, admin_user):
    response = client_as(admin_user).post(ADD_URL, calendar_form([(2, "17:00", "08:00")]))
    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()


def test_admin_lists_the_default_calendars_and_opens_one_with_its_intervals(client_as, admin_user):
    client = client_as(admin_user)
    listing = client.get("/admin/calendars/businesscalendar/")
    assert listing.status_code == 200
    assert "Standard business hours" in listing.content.decode()
    standard = BusinessCalendar.objects.get(name="Standard business hours")
    page = client.get(f"/admin/calendars/businesscalendar/{standard.pk}/change/")
    assert page.status_code == 200
    assert 'name="working_intervals-TOTAL_FORMS" value="5"' in page.content.decode()
