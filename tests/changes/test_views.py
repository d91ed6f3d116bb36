"""Desk pages: list, detail, agenda votes, calendar and the iCal feed, the ticket panel."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from rest_framework.authtoken.models import Token

from tests.changes.factories import (
    approve_all,
    blackout,
    cab,
    change_manager,
    make_change,
    move,
    to_cab,
)
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm(db):
    return change_manager()


@pytest.fixture
def erp(db):
    return ServiceFactory(name="ERP")


@pytest.fixture
def scheduled(cm, erp):
    members = cab(1)
    start = timezone.now() + timedelta(days=1)
    change = approve_all(to_cab(make_change(actor=cm, start=start, services=[erp]), cm), members)
    return move(change, cm, "scheduled")


@pytest.mark.parametrize(
    "url",
    ["/desk/changes/", "/desk/changes/agenda/", "/desk/changes/calendar/", "/desk/releases/"],
)
def test_requester_cannot_open_change_pages(client_as, requester, url):
    assert client_as(requester).get(url).status_code == 403


def test_detail_of_unknown_change_is_404(client_as, agent):
    assert client_as(agent).get("/desk/changes/CHG9999999/").status_code == 404


def test_change_manager_raises_a_change_in_the_form(client_as, cm, erp):
    response = client_as(cm).post(
        "/desk/changes/new/",
        {
            "title": "Patch ERP",
            "change_type": "normal",
            "services": [erp.pk],
            "planned_start": "2026-07-01T22:00",
            "planned_end": "2026-07-01T23:00",
        },
    )
    assert response.status_code == 302
    page = client_as(cm).get(response["Location"])
    assert b"Patch ERP" in page.content
    assert b"Risk questionnaire" in page.content


def test_agenda_lists_changes_with_conflicts_and_votes(client_as, cm, erp):
    members = cab(2)
    start = timezone.now() + timedelta(days=2)
    blackout(start=start - timedelta(hours=1), end=start + timedelta(hours=1))
    change = to_cab(make_change(actor=cm, start=start, services=[erp]), cm)
    client = client_as(members[0])
    page = client.get("/desk/changes/agenda/")
    assert change.number.encode() in page.content
    assert b"Month-end freeze" in page.content
    response = client.post(
        f"/desk/changes/{change.number}/decide/",
        {"decision": "approved", "comment": "ok", "next": "/desk/changes/agenda/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/changes/agenda/"
    change.refresh_from_db()
    assert change.approvals.filter(decision="approved").count() == 1


def test_agent_posting_a_vote_gets_403(client_as, cm, erp, agent):
    cab(1)
    change = to_cab(make_change(actor=cm, start=timezone.now(), services=[erp]), cm)
    response = client_as(agent).post(
        f"/desk/changes/{change.number}/decide/", {"decision": "approved"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_calendar_views_show_scheduled_changes_and_blackouts(client_as, agent, scheduled, view):
    day = scheduled.planned_start.date().isoformat()
    blackout(name="Quarter close", start=scheduled.planned_start, end=scheduled.planned_end)
    page = client_as(agent).get(f"/desk/changes/calendar/?view={view}&date={day}")
    assert page.status_code == 200
    assert scheduled.number.encode() in page.content
    assert b"Quarter close" in page.content


def test_calendar_filters_by_service(client_as, agent, scheduled):
    other = ServiceFactory(name="CRM")
    day = scheduled.planned_start.date().isoformat()
    page = client_as(agent).get(f"/desk/changes/calendar/?date={day}&service={other.pk}")
    assert scheduled.number.encode() not in page.content


def test_calendar_query_count_is_flat(client_as, agent, cm, erp, django_assert_max_num_queries):
    client = client_as(agent)
    start = timezone.now() + timedelta(days=1)
    make_change(actor=cm, start=start, services=[erp])
    with django_assert_max_num_queries(12) as first:
        client.get("/desk/changes/calendar/")
    for i in range(10):
        move(
            make_change(actor=cm, start=start + timedelta(hours=i), services=[erp]),
            cm,
            "assessment",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/desk/changes/calendar/")


def test_ical_feed_parses_and_contains_scheduled_changes(client_as, agent, scheduled):
    response = client_as(agent).get("/desk/changes/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    event = events[f"{scheduled.number}@testserver"]
    assert str(event["summary"]).startswith(scheduled.number)
    assert event.decoded("dtstart") == scheduled.planned_start.replace(microsecond=0)
    assert str(event["status"]) == "CONFIRMED"


def test_ical_feed_with_token_and_without_auth(client, agent, scheduled, requester):
    token = Token.objects.create(user=agent)
    assert client.get("/desk/changes/calendar.ics").status_code == 401
    assert client.get("/desk/changes/calendar.ics?token=nope").status_code == 401
    response = client.get(f"/desk/changes/calendar.ics?token={token.key}")
    assert response.status_code == 200
    assert scheduled.number.encode() in response.content
    requester_token = Token.objects.create(user=requester)
    assert client.get(f"/desk/changes/calendar.ics?token={requester_token.key}").status_code == 401


def test_ticket_page_shows_nearby_change_and_links_the_incident(client_as, agent, scheduled, erp):
    incident = make_ticket(requester=agent, service=erp, short_description="ERP is slow")
    client = client_as(agent)
    page = client.get(f"/desk/tickets/{incident.number}/")
    assert scheduled.number.encode() in page.content
    assert b"Caused by this change" in page.content
    response = client.post(
        f"/desk/changes/{scheduled.number}/link-incident/",
        {"incident": incident.number, "next": f"/desk/tickets/{incident.number}/"},
    )
    assert response.status_code == 302
    assert scheduled.incident_links.filter(incident=incident).exists()
    page = client.get(f"/desk/tickets/{incident.number}/")
    assert b"Caused this incident" in page.content
    change_page = client.get(f"/desk/changes/{scheduled.number}/")
    assert incident.number.encode() in change_page.content


def test_link_redirect_refuses_other_hosts(client_as, agent, scheduled, erp):
    incident = make_ticket(requester=agent, service=erp)
    response = client_as(agent).post(
        f"/desk/changes/{scheduled.number}/link-incident/",
        {"incident": incident.number, "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/desk/changes/{scheduled.number}/"


def test_change_manager_edits_a_draft_and_a_stale_edit_keeps_the_input(client_as, cm, erp):
    change = make_change(actor=cm, services=[erp], title="Patch ERP")
    client = client_as(cm)
    page = client.get(f"/desk/changes/{change.number}/edit/").content.decode()
    assert 'value="Patch ERP"' in page
    response = client.post(
        f"/desk/changes/{change.number}/edit/",
        {
            "version": change.version,
            "title": "Patch ERP to 12.4",
            "services": [erp.pk],
            "backout_plan": "Restore the snapshot.",
        },
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.title, change.backout_plan) == ("Patch ERP to 12.4", "Restore the snapshot.")
    stale = client.post(
        f"/desk/changes/{change.number}/edit/",
        {"version": 1, "title": "My careful new title", "services": [erp.pk]},
    )
    assert stale.status_code == 400
    assert "My careful new title" in stale.content.decode()
    change.refresh_from_db()
    assert change.title == "Patch ERP to 12.4"


def test_a_normal_drafts_page_offers_only_the_normal_path(client_as, cm, erp):
    change = make_change(actor=cm, start=timezone.now() + timedelta(days=2), services=[erp])
    page = client_as(cm).get(f"/desk/changes/{change.number}/").content.decode()
    assert "Submit for assessment" in page
    for other_path in (
        "Schedule (standard change)",
        "Send to the emergency CAB",
        "Implement now (emergency, CAB reviews after)",
    ):
        assert other_path not in page
