"""Time worked on tickets: the services (bounds, refusals, audit), the ticket page's panel and
forms, and the page's query cost."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused
from tests.factories.tickets import make_ticket
from tickets import selectors, services
from tickets.exceptions import InvalidTicketInput
from tickets.models import Comment, TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, agent, service_desk_team):
    return make_ticket(requester=requester, actor=agent, assignment_team=service_desk_team)


def test_agent_logs_time_audited_on_the_ticket_with_their_team(ticket, agent, service_desk_team):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=25, note="Reset VPN")
    assert (entry.minutes, entry.worked_on, entry.team) == (
        25,
        timezone.localdate(),
        service_desk_team,
    )
    event = AuditEvent.objects.get(record_id=ticket.pk, action="time_logged")
    assert event.actor == agent
    assert event.changes["minutes"] == {"from": None, "to": 25}
    ticket.refresh_from_db()
    # Bookkeeping, not an edit: the agent's open page stays current.
    assert ticket.version == 1


def test_team_is_the_agents_own_when_not_in_the_tickets_team(ticket, agent_other_team, other_team):
    entry = services.time_entry_log(ticket=ticket, agent=agent_other_team, minutes=5)
    assert entry.team == other_team


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "at least 1 minute"),
        (-5, "at least 1 minute"),
        (24 * 60 + 1, "at most 1440 minutes"),
        ("ten", "whole number of minutes"),
        (True, "whole number of minutes"),
        (None, "whole number of minutes"),
    ],
)
def test_minutes_out_of_bounds_are_refused_with_a_clear_message(ticket, agent, minutes, message):
    with pytest.raises(InvalidTicketInput, match=message) as refused:
        services.time_entry_log(ticket=ticket, agent=agent, minutes=minutes)
    assert refused.value.field == "minutes"
    assert not TimeEntry.objects.exists()


def test_a_whole_day_is_the_most_one_entry_holds(ticket, agent):
    assert services.time_entry_log(ticket=ticket, agent=agent, minutes=24 * 60).minutes == 1440


def test_the_day_worked_cannot_be_in_the_future_nor_before_the_ticket(ticket, agent):
    with pytest.raises(InvalidTicketInput, match="future"):
        services.time_entry_log(
            ticket=ticket, agent=agent, minutes=5, worked_on=date.today() + timedelta(days=2)
        )
    with pytest.raises(InvalidTicketInput, match="before the ticket"):
        services.time_entry_log(
            ticket=ticket, agent=agent, minutes=5, worked_on=date.today() - timedelta(days=30)
        )


@pytest.mark.parametrize("persona", ["requester", "cab_member", "knowledge_editor"])
def test_requesters_and_read_only_roles_cannot_log_time(ticket, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionRefused, match="Only the service desk"):
        services.time_entry_log(ticket=ticket, agent=user, minutes=10)
    assert not TimeEntry.objects.exists()


def test_agent_corrects_own_entry_audited_from_to(ticket, agent):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=25)
    services.time_entry_correct(entry=entry, actor=agent, minutes=40, note="Also the proxy")
    entry.refresh_from_db()
    assert (entry.minutes, entry.note) == (40, "Also the proxy")
    event = AuditEvent.objects.get(record_id=ticket.pk, action="time_corrected")
    assert event.changes["minutes"] == {"from": 25, "to": 40}


def test_correction_keeps_the_bounds(ticket, agent):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=25)
    with pytest.raises(InvalidTicketInput, match="at least 1 minute"):
        services.time_entry_correct(entry=entry, actor=agent, minutes=0)
    entry.refresh_from_db()
    assert entry.minutes == 25


def test_agent_cannot_change_someone_elses_entry_but_the_manager_can(
    ticket, agent, agent_other_team, manager
):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=25)
    with pytest.raises(PermissionRefused, match="you logged yourself"):
        services.time_entry_correct(entry=entry, actor=agent_other_team, minutes=5)
    with pytest.raises(PermissionRefused, match="you logged yourself"):
        services.time_entry_delete(entry=entry, actor=agent_other_team)
    services.time_entry_delete(entry=entry, actor=manager)
    assert not TimeEntry.objects.exists()
    event = AuditEvent.objects.get(record_id=ticket.pk, action="time_deleted")
    assert event.actor == manager
    assert event.changes["minutes"] == {"from": 25, "to": None}


def test_work_note_with_time_logs_both_and_links_them(ticket, agent):
    comment = services.ticket_reply_with_time(
        ticket=ticket,
        author=agent,
        body="Checked the proxy logs.",
        is_public=False,
        minutes=15,
        expected_version=ticket.version,
    )
    entry = TimeEntry.objects.get()
    assert (entry.comment, entry.minutes, comment.is_public) == (comment, 15, False)


def test_reply_and_resolve_with_time(ticket, agent):
    services.ticket_reply_with_time(
        ticket=ticket,
        author=agent,
        body="Fixed: the certificate was renewed.",
        is_public=True,
        minutes=30,
        set_status="resolved",
        resolution_code="solved",
        expected_version=ticket.version,
    )
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert TimeEntry.objects.get().comment.body.startswith("Fixed")


def test_bad_minutes_with_a_reply_send_no_reply(ticket, agent):
    with pytest.raises(InvalidTicketInput, match="at most"):
        services.ticket_reply_with_time(
            ticket=ticket,
            author=agent,
            body="Hello",
            is_public=True,
            minutes=5000,
            expected_version=ticket.version,
        )
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_ticket_total_and_latest_entries_in_one_query(
    ticket, agent, manager, django_assert_num_queries
):
    for minutes in (10, 20, 30):
        services.time_entry_log(ticket=ticket, agent=agent, minutes=minutes)
    services.time_entry_log(ticket=ticket, agent=manager, minutes=45)
    with django_assert_num_queries(1):
        worked = selectors.time_worked_for_ticket(ticket=ticket, limit=2)
        assert [e.agent.display_name for e in worked.entries] == ["Morgan Manager", "Alice Agent"]
    assert (worked.total_minutes, worked.count, len(worked.entries)) == (105, 4, 2)


def test_ticket_with_no_time_has_a_zero_total(ticket, django_assert_num_queries):
    with django_assert_num_queries(1):
        worked = selectors.time_worked_for_ticket(ticket=ticket)
    assert (worked.total_minutes, worked.count, worked.entries) == (0, 0, [])


# --- The ticket page ---


def test_ticket_page_shows_total_and_entries(client_as, ticket, agent):
    services.time_entry_log(ticket=ticket, agent=agent, minutes=75, note="Remote session")
    page = client_as(agent).get(ticket.get_absolute_url())
    html = page.content.decode()
    assert 'id="time-total">1 h 15 min<' in html
    assert "Remote session" in html
    assert "Time worked (minutes)" in html


def test_ticket_page_query_count_does_not_grow_with_time_entries(
    client_as, ticket, agent, django_assert_max_num_queries
):
    client = client_as(agent)
    services.time_entry_log(ticket=ticket, agent=agent, minutes=5)
    client.get(ticket.get_absolute_url())  # warm the per-process caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(ticket.get_absolute_url())
    for _ in range(25):
        services.time_entry_log(ticket=ticket, agent=agent, minutes=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(ticket.get_absolute_url())
    assert 'id="time-total">2 h 10 min<' in page.content.decode()


def test_log_time_form_with_htmx_returns_the_panel(client_as, ticket, agent):
    response = client_as(agent).post(
        reverse("tickets:desk-ticket-time-log", args=[ticket.number]),
        {"minutes": "40", "note": "Phone call"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="time-total">40 min<' in response.content.decode()
    assert TimeEntry.objects.get().note == "Phone call"


@pytest.mark.parametrize(
    ("minutes", "message"),
    [("0", "at least 1 minute"), ("2000", "at most 1440"), ("abc", "whole number")],
)
def test_log_time_form_shows_a_bad_value_next_to_the_field(
    client_as, ticket, agent, minutes, message
):
    response = client_as(agent).post(
        reverse("tickets:desk-ticket-time-log", args=[ticket.number]),
        {"minutes": minutes},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="form-error" role="alert"' in html
    assert not TimeEntry.objects.exists()


def test_reply_form_logs_minutes_with_the_reply(client_as, ticket, agent):
    response = client_as(agent).post(
        reverse("tickets:desk-ticket-reply", args=[ticket.number]),
        {"version": ticket.version, "body": "On it.", "visibility": "public", "minutes": "12"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.comment.body) == (12, "On it.")


def test_reply_form_refuses_bad_minutes_next_to_the_field_and_sends_nothing(
    client_as, ticket, agent
):
    response = client_as(agent).post(
        reverse("tickets:desk-ticket-reply", args=[ticket.number]),
        {"version": ticket.version, "body": "On it.", "visibility": "public", "minutes": "-3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "Time worked must be at least 1 minute." in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_agent_removes_own_entry_from_the_panel(client_as, ticket, agent):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=40)
    response = client_as(agent).post(
        reverse("tickets:desk-ticket-time-delete", args=[ticket.number, entry.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "No time logged yet." in response.content.decode()


def test_without_htmx_a_bad_value_comes_back_on_the_whole_page(client_as, ticket, agent):
    response = client_as(agent).post(
        reverse("tickets:desk-ticket-time-log", args=[ticket.number]), {"minutes": "0"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Time worked must be at least 1 minute." in html
    assert "Conversation and history" in html


def test_agent_corrects_own_entry_from_the_panel(client_as, ticket, agent):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=40)
    url = reverse("tickets:desk-ticket-time-correct", args=[ticket.number, entry.pk])
    client = client_as(agent)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert f'id="time-edit-{entry.pk}"' in page
    refused = client.post(url, {"minutes": "-1", "note": "x"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "Time worked must be at least 1 minute." in refused.content.decode()
    done = client.post(url, {"minutes": "55", "note": "Longer call"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert 'id="time-total">55 min<' in done.content.decode()
    entry.refresh_from_db()
    assert (entry.minutes, entry.note) == (55, "Longer call")


def test_another_agent_cannot_correct_the_entry(client_as, ticket, agent, agent_other_team):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=40)
    url = reverse("tickets:desk-ticket-time-correct", args=[ticket.number, entry.pk])
    response = client_as(agent_other_team).post(
        url, {"minutes": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER=f"time-edit-{entry.pk}"
    )
    assert response.status_code == 403
    assert "only change the time you logged yourself" in response.content.decode()
    entry.refresh_from_db()
    assert entry.minutes == 40


def test_read_only_roles_see_the_total_but_no_log_time_form(client_as, ticket, cab_member, agent):
    services.time_entry_log(ticket=ticket, agent=agent, minutes=20)
    html = client_as(cab_member).get(ticket.get_absolute_url()).content.decode()
    assert 'id="time-total">20 min<' in html
    assert 'id="time-log-form"' not in html
    assert "Time worked (minutes)" not in html
