"""Desk pages: list, detail, agenda votes, calendar and the iCal feed, the ticket panel."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from changes import services as change_services
from changes.models import CalendarFeedToken
from tests.changes.factories import (
    approve_all,
    blackout,
    cab,
    change_manager,
    make_change,
    move,
    to_cab,
)
from tests.factories.apitokens import make_token
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


def test_ical_feed_with_calendar_token_and_without_auth(client, agent, scheduled, requester):
    secret = change_services.calendar_token_create(user=agent)
    assert client.get("/desk/changes/calendar.ics").status_code == 401
    assert client.get("/desk/changes/calendar.ics?token=nope").status_code == 401
    response = client.get(f"/desk/changes/calendar.ics?token={secret}")
    assert response.status_code == 200
    assert scheduled.number.encode() in response.content
    header = client.get("/desk/changes/calendar.ics", headers={"authorization": f"Token {secret}"})
    assert header.status_code == 200


def test_ical_feed_refuses_the_full_api_token(client, agent, scheduled):
    """The feed URL must never carry an API token, so the feed stops taking one."""
    _, api_token = make_token(agent)
    assert client.get(f"/desk/changes/calendar.ics?token={api_token}").status_code == 401


def test_calendar_token_reads_only_the_feed_and_is_stored_hashed(client, agent, scheduled):
    secret = change_services.calendar_token_create(user=agent)
    stored = CalendarFeedToken.objects.get(user=agent)
    assert secret not in stored.key_hash
    assert stored.key_hash == CalendarFeedToken.hash_key(secret)
    api = client.get("/api/v1/changes/", headers={"authorization": f"Token {secret}"})
    assert api.status_code in (401, 403)
    assert client.get(f"/desk/changes/?token={secret}").status_code == 302


def test_a_requester_cannot_make_or_use_a_calendar_token(client_as, requester):
    client = client_as(requester)
    assert client.post("/desk/changes/calendar/token/").status_code == 403
    assert not CalendarFeedToken.objects.exists()


def test_user_makes_replaces_and_revokes_a_calendar_link_on_the_calendar_page(
    client_as, agent, scheduled
):
    desk = client_as(agent)
    client = Client()  # a calendar app: no session
    page = desk.get("/desk/changes/calendar/")
    assert b'href="/desk/changes/calendar.ics"' in page.content
    assert b"Make a calendar link" in page.content

    made = desk.post("/desk/changes/calendar/token/")
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    first = made.context["secret"]
    assert f"http://testserver/desk/changes/calendar.ics?token={first}".encode() in made.content
    again = desk.get("/desk/changes/calendar/")
    assert first.encode() not in again.content  # shown once
    assert b"Revoke calendar link" in again.content

    second = desk.post("/desk/changes/calendar/token/").context["secret"]
    assert client.get(f"/desk/changes/calendar.ics?token={first}").status_code == 401
    assert client.get(f"/desk/changes/calendar.ics?token={second}").status_code == 200

    revoked = desk.post("/desk/changes/calendar/token/revoke/")
    assert revoked.status_code == 302
    assert client.get(f"/desk/changes/calendar.ics?token={second}").status_code == 401


def test_calendar_list_is_chronological_with_blackouts_among_changes(client_as, agent, cm, erp):
    """GIVEN a change on 1 Dec and a blackout on 30 Dec
    WHEN the list view from 1 Dec is shown
    THEN the change comes first, the blackout after it."""
    tz = timezone.get_current_timezone()
    first = datetime(2031, 12, 1, 10, tzinfo=tz)
    change = move(make_change(actor=cm, start=first, services=[erp]), cm, "assessment")
    blackout(
        name="Year-end freeze",
        start=datetime(2031, 12, 30, 0, tzinfo=tz),
        end=datetime(2031, 12, 31, 0, tzinfo=tz),
    )
    page = client_as(agent).get("/desk/changes/calendar/?view=list&date=2031-12-01")
    content = page.content.decode()
    assert content.index(change.number) < content.index("Year-end freeze")


def test_ticket_page_shows_nearby_change_and_links_the_incident(client_as, agent, scheduled, erp):
    incident = make_ticket(requester=agent, service=erp, short_description="ERP is slow")
    client = client_as(agent)
    page = client.get(f"/desk/tickets/{incident.number}/")
    # The page asks for its panels once drawn; the panels hold the change.
    assert f'hx-get="/desk/tickets/{incident.number}/panels/"'.encode() in page.content
    page = client.get(f"/desk/tickets/{incident.number}/panels/")
    assert scheduled.number.encode() in page.content
    assert b"Caused by this change" in page.content
    response = client.post(
        f"/desk/changes/{scheduled.number}/link-incident/",
        {"incident": incident.number, "next": f"/desk/tickets/{incident.number}/"},
    )
    assert response.status_code == 302
    assert scheduled.incident_links.filter(incident=incident).exists()
    page = client.get(f"/desk/tickets/{incident.number}/panels/")
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


def test_the_requesters_wording_of_a_scheduled_change_is_corrected_on_its_page(
    client_as, cm, scheduled, agent
):
    page = client_as(cm).get(f"/desk/changes/{scheduled.number}/").content.decode()
    assert 'id="public-title-form"' in page
    assert f'href="/desk/changes/{scheduled.number}/edit/"' not in page  # the plans are fixed
    response = client_as(cm).post(
        f"/desk/changes/{scheduled.number}/public-title/",
        {"version": scheduled.version, "public_title": "ERP is slow on Sunday morning"},
    )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.public_title == "ERP is slow on Sunday morning"
    page = client_as(cm).get(f"/desk/changes/{scheduled.number}/").content.decode()
    assert "Requesters see: “Planned maintenance: ERP is slow on Sunday morning”" in page

    stale = client_as(cm).post(
        f"/desk/changes/{scheduled.number}/public-title/",
        {"version": 1, "public_title": "My careful wording"},
    )
    assert stale.status_code == 409
    assert "My careful wording" in stale.content.decode()  # what was typed is kept

    refused = client_as(agent).post(
        f"/desk/changes/{scheduled.number}/public-title/",
        {"version": scheduled.version, "public_title": "Agent's wording"},
    )
    assert refused.status_code == 403
    assert "Only the change manager or the change&#x27;s requester can reword it." in (
        refused.content.decode()
    )
    scheduled.refresh_from_db()
    assert scheduled.public_title == "ERP is slow on Sunday morning"


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


def test_change_list_filter_bar_has_plain_labels_and_filters(client_as, agent, cm, erp):
    start = timezone.now() + timedelta(days=2)
    in_window = make_change(actor=cm, start=start, services=[erp], title="Patch ERP")
    later = make_change(actor=cm, start=start + timedelta(days=30), title="Patch CRM")
    client = client_as(agent)
    page = client.get("/desk/changes/").content.decode()
    assert "[invalid name]" not in page
    assert "is greater than" not in page and "is less than" not in page
    for label in ("Search", "Status", "Type", "Risk", "Service", "Team", "Starts on or after"):
        assert f"<label>{label}<" in page
    assert '<option value="">Any status</option>' in page

    day = (start + timedelta(days=1)).date().isoformat()
    rows = client.get(
        f"/desk/changes/?q=&status=&risk=&service={erp.pk}&starts_before={day}",
        headers={"hx-request": "true", "hx-target": "change-table"},
    )
    assert b"<form" not in rows.content  # the htmx partial: rows only
    assert in_window.number.encode() in rows.content
    assert later.number.encode() not in rows.content


def test_change_list_query_count_does_not_grow_with_rows(
    client_as, agent, cm, erp, django_assert_max_num_queries
):
    client = client_as(agent)
    make_change(actor=cm, start=timezone.now() + timedelta(days=1), services=[erp])
    with django_assert_max_num_queries(20) as first:
        client.get("/desk/changes/")
    for i in range(10):
        make_change(actor=cm, start=timezone.now() + timedelta(days=2, hours=i), services=[erp])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/desk/changes/")


def test_raising_or_editing_a_change_without_the_right_answers_403_with_the_reason(
    client_as, knowledge_editor, cm, erp
):
    """The refusal page is a 403 (it was drawn with status 200: the status went in as the
    content type)."""
    change = make_change(actor=cm, start=timezone.now(), services=[erp])
    response = client_as(knowledge_editor).get("/desk/changes/new/")
    assert response.status_code == 403
    assert "You cannot raise changes." in response.content.decode()
    response = client_as(knowledge_editor).get(f"/desk/changes/{change.number}/edit/")
    assert response.status_code == 403
    assert "You cannot edit this change." in response.content.decode()
