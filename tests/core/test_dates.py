"""One date and time format across the product, in the viewer's own timezone."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from itsm.core.dates import format_date, format_datetime, format_duration
from tests.factories.tickets import make_ticket
from tickets.services import comment_add

MOMENT = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)


def test_a_moment_reads_day_month_year_and_time():
    with timezone.override("UTC"):
        assert format_datetime(MOMENT) == "2 Dec 2026, 14:05"
        assert format_date(MOMENT) == "2 Dec 2026"
    assert format_date(date(2027, 1, 9)) == "9 Jan 2027"
    assert format_datetime(None) == ""


def test_a_moment_is_shown_in_the_active_timezone():
    with timezone.override("America/New_York"):
        assert format_datetime(MOMENT) == "2 Dec 2026, 09:05"
    with timezone.override("Asia/Tokyo"):
        assert format_datetime(MOMENT) == "2 Dec 2026, 23:05"
        assert format_date(datetime(2026, 12, 2, 20, 0, tzinfo=UTC)) == "3 Dec 2026"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=38), "less than a minute"),
        (timedelta(minutes=12, seconds=59), "12 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=3, minutes=5), "3 h 5 min"),
        (timedelta(days=2, hours=4, minutes=30), "2 d 4 h"),
        (timedelta(days=1), "1 d"),
        (timedelta(seconds=-5), "less than a minute"),
    ],
)
def test_a_duration_reads_in_its_two_largest_units(delta, text):
    assert format_duration(delta) == text


# --- No stray formats ----------------------------------------------------------------------

# Machine formats are fine: `c` in datetime="" attributes, Y-m-d in links and form values,
# and the change calendar's month title ("December 2026") is a heading, not a date.
ALLOWED_DATE_FORMATS = {"c", "Y-m-d", "F Y"}
TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


def _templates():
    return sorted(TEMPLATES_DIR.rglob("*.html")) + sorted(TEMPLATES_DIR.rglob("*.txt"))


def test_templates_show_dates_only_through_the_product_format():
    stray = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"\|(date|time):\s*[\"']([^\"']*)[\"']", text):
            if match[1] == "time" or match[2] not in ALLOWED_DATE_FORMATS:
                stray.append(f"{path.relative_to(TEMPLATES_DIR)}: {match[0]}")
        for match in re.finditer(r"\|(date|time)\s*(?=[|}\s])", text):
            stray.append(f"{path.relative_to(TEMPLATES_DIR)}: {match[0]} (the default format)")
        # A moment printed raw ({{ x.created_at }}) shows Python's str() of it.
        for match in re.finditer(r"\{\{\s*[\w.]+_(at|since|start|end)(\.\w+)?\s*\}\}", text):
            stray.append(f"{path.relative_to(TEMPLATES_DIR)}: {match[0]} (raw)")
    assert stray == []


def test_python_built_rows_use_the_product_format_too():
    rows = (Path(settings.BASE_DIR) / "tickets" / "rows.py").read_text()
    assert "strftime" not in rows


# --- Pages, in the viewer's timezone ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "shown"), [("UTC", "2 Dec 2026, 14:05"), ("America/New_York", "2 Dec 2026, 09:05")]
)
def test_the_desk_ticket_page_shows_times_in_the_agents_timezone(client_as, agent, zone, shown):
    agent.timezone = zone
    agent.save(update_fields=["timezone"])
    with time_machine.travel(MOMENT, tick=False):
        ticket = make_ticket(requester=agent, actor=agent)
    html = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f"opened {shown}" in html


@pytest.mark.django_db
def test_the_portal_shows_a_reply_in_the_requesters_timezone(client_as, requester):
    requester.timezone = "Asia/Tokyo"
    requester.save(update_fields=["timezone"])
    with time_machine.travel(MOMENT, tick=False):
        ticket = make_ticket(requester=requester)
        comment_add(ticket=ticket, author=requester, body="Still broken", is_public=True)
    html = client_as(requester).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "2 Dec 2026, 23:05</time>" in html
