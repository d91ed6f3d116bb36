"""SLA clocks through the ticket life cycle, with time moved by time-machine."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from itsm.audit.models import AuditEvent
from itsm.calendars.models import BusinessCalendar, WorkingInterval
from itsm.calendars.selectors import calendar_get_default
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets import services
from tickets.models import SlaClock, SlaPolicy, Ticket
from tickets.sla.rules import SlaMetric, SlaState
from tickets.sla.services import sla_due_refresh

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def clock(ticket, metric=SlaMetric.RESOLUTION) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def advance(traveller, **delta):
    traveller.move_to(datetime.now(UTC) + timedelta(**delta))


def test_a_p5_ticket_gets_both_clocks_from_the_default_p5_policy(requester):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=requester)
    response, resolution = clock(ticket, SlaMetric.FIRST_RESPONSE), clock(ticket)
    assert response.policy.name == "P5 default"
    assert response.due_at == T0 + timedelta(hours=24)
    assert resolution.due_at == T0 + timedelta(days=5)
    assert resolution.next_threshold == 75
    assert resolution.next_due_at == T0 + timedelta(days=5) * 0.75


def test_the_first_matching_policy_by_order_wins(requester):
    calendar = calendar_get_default()
    SlaPolicy.objects.create(
        name="Requests, late",
        order=50,
        kind="request",
        first_response_minutes=1,
        resolution_minutes=2,
        calendar=calendar,
    )
    SlaPolicy.objects.create(
        name="Incidents P5 fast",
        order=60,
        kind="incident",
        priority=5,
        first_response_minutes=10,
        resolution_minutes=20,
        calendar=calendar,
    )
    SlaPolicy.objects.create(
        name="Anything, earlier but inactive",
        order=1,
        is_active=False,
        first_response_minutes=1,
        resolution_minutes=1,
        calendar=calendar,
    )
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=requester)
    assert clock(ticket).policy.name == "Incidents P5 fast"
    assert clock(ticket).due_at == T0 + timedelta(minutes=20)


def test_on_hold_awaiting_requester_keeps_the_paused_time_out(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        advance(traveller, hours=2)
        ticket = services.ticket_transition(
            ticket=ticket,
            to_status="on_hold",
            actor=agent,
            expected_version=None,
            on_hold_reason="awaiting_requester",
        )
        paused = clock(ticket)
        assert paused.state == SlaState.PAUSED
        assert paused.elapsed == timedelta(hours=2)
        assert paused.next_due_at is None
        advance(traveller, hours=10)
        services.ticket_transition(
            ticket=ticket, to_status="in_progress", actor=agent, expected_version=None
        )
    resumed = clock(ticket)
    assert resumed.state == SlaState.RUNNING
    assert resumed.paused_total == timedelta(hours=10)
    assert resumed.due_at == T0 + timedelta(days=5, hours=10)


def test_on_hold_for_a_vendor_does_not_pause_by_default(requester, agent):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=requester)
        services.ticket_transition(
            ticket=ticket,
            to_status="on_hold",
            actor=agent,
            expected_version=None,
            on_hold_reason="awaiting_vendor",
        )
    assert clock(ticket).state == SlaState.RUNNING


def test_reopening_continues_the_resolution_clock_from_where_it_stopped(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        advance(traveller, hours=3)
        ticket = services.ticket_transition(
            ticket=ticket,
            to_status="resolved",
            actor=agent,
            expected_version=None,
            resolution_code="solved",
            resolution_notes="Fixed.",
        )
        stopped = clock(ticket)
        assert (stopped.state, stopped.elapsed) == (SlaState.MET, timedelta(hours=3))
        advance(traveller, days=1)
        services.ticket_transition(
            ticket=ticket, to_status="in_progress", actor=requester, expected_version=None
        )
    reopened = clock(ticket)
    assert reopened.state == SlaState.RUNNING
    assert reopened.stopped_at is None
    assert reopened.due_at == T0 + timedelta(days=1, hours=3) + timedelta(days=5) - timedelta(
        hours=3
    )
    # The first-response clock had its outcome at resolution and keeps it.
    assert clock(ticket, SlaMetric.FIRST_RESPONSE).state == SlaState.MET


def test_cancelling_stops_both_clocks_without_an_outcome(requester, agent):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=requester)
        services.ticket_transition(
            ticket=ticket, to_status="cancelled", actor=agent, expected_version=None, reason="x"
        )
    assert set(SlaClock.objects.filter(ticket=ticket).values_list("state", flat=True)) == {
        SlaState.CANCELLED
    }


def test_priority_change_recomputes_due_from_the_used_time_and_is_audited(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        advance(traveller, hours=1)
        services.ticket_set_priority(
            ticket=ticket, actor=agent, expected_version=None, priority=1, reason="CEO laptop"
        )
    resolution = clock(ticket)
    assert resolution.policy.name == "P1 default"
    assert resolution.elapsed == timedelta(hours=1)
    # P1 resolves in 4 h; one hour is already used, so three remain from the change.
    assert resolution.due_at == T0 + timedelta(hours=4)
    event = AuditEvent.objects.get(record_id=ticket.pk, action="sla_reevaluated")
    assert event.changes["sla_policy"] == {"from": "P5 default", "to": "P1 default"}
    assert event.actor == agent


def test_pause_then_priority_change_keeps_the_paused_time_out(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        advance(traveller, hours=1)
        ticket = services.ticket_transition(
            ticket=ticket,
            to_status="on_hold",
            actor=agent,
            expected_version=None,
            on_hold_reason="awaiting_requester",
        )
        advance(traveller, hours=5)
        ticket = services.ticket_update(
            ticket=ticket, actor=agent, expected_version=None, impact=1, urgency=1
        )
        assert clock(ticket).state == SlaState.PAUSED
        advance(traveller, hours=5)
        services.ticket_transition(
            ticket=ticket, to_status="in_progress", actor=agent, expected_version=None
        )
    resolution = clock(ticket)
    assert resolution.policy.name == "P1 default"
    assert resolution.elapsed == timedelta(hours=1)
    assert resolution.due_at == T0 + timedelta(hours=11) + timedelta(hours=3)


def test_business_hours_calendar_counts_only_working_time(requester):
    office = BusinessCalendar.objects.create(name="Office 9-17", timezone="UTC")
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=office, weekday=weekday, start_time=time(9), end_time=time(17)
        )
    SlaPolicy.objects.create(
        name="Office hours",
        order=1,
        first_response_minutes=60,
        resolution_minutes=16 * 60,
        calendar=office,
    )
    friday_afternoon = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    with time_machine.travel(friday_afternoon, tick=False):
        ticket = make_ticket(requester=requester)
    # 1 h left on Friday, 8 h on Monday, the last 7 h on Tuesday: due Tuesday 16:00.
    assert clock(ticket).due_at == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    assert clock(ticket, SlaMetric.FIRST_RESPONSE).due_at == datetime(2026, 3, 6, 17, 0, tzinfo=UTC)


def test_first_response_stops_on_the_first_staff_public_reply_only(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        advance(traveller, minutes=10)
        services.comment_add(ticket=ticket, author=agent, body="Looking", is_public=False)
        services.comment_add(ticket=ticket, author=requester, body="Any news?", is_public=True)
        assert clock(ticket, SlaMetric.FIRST_RESPONSE).stopped_at is None
        advance(traveller, minutes=10)
        services.comment_add(ticket=ticket, author=agent, body="On it", is_public=True)
        advance(traveller, minutes=10)
        services.comment_add(ticket=ticket, author=agent, body="Still on it", is_public=True)
    response = clock(ticket, SlaMetric.FIRST_RESPONSE)
    assert response.state == SlaState.MET
    assert response.stopped_at == T0 + timedelta(minutes=20)
    assert response.elapsed == timedelta(minutes=20)
    assert clock(ticket).stopped_at is None


def test_a_late_first_reply_is_a_breach(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        advance(traveller, hours=25)
        services.comment_add(ticket=ticket, author=agent, body="Sorry", is_public=True)
    assert clock(ticket, SlaMetric.FIRST_RESPONSE).state == SlaState.BREACHED


# --- The ticket's stored SLA due instant (the queue's SLA sort) ---------------------------


def stored_due(ticket):
    return Ticket.objects.values_list("sla_due_at", flat=True).get(pk=ticket.pk)


def test_the_ticket_due_follows_its_clocks_through_the_life_cycle(requester, agent):
    with time_machine.travel(T0, tick=False) as traveller:
        ticket = make_ticket(requester=requester)
        # Both clocks run: the first response is due first.
        assert stored_due(ticket) == T0 + timedelta(hours=24)
        advance(traveller, hours=1)
        services.comment_add(ticket=ticket, author=agent, body="On it", is_public=True)
        # Answered: now the resolution clock's due instant.
        assert stored_due(ticket) == T0 + timedelta(days=5)
        ticket = services.ticket_transition(
            ticket=ticket,
            to_status="on_hold",
            actor=agent,
            expected_version=None,
            on_hold_reason="awaiting_requester",
        )
        assert stored_due(ticket) is None  # paused: no clock counts down
        advance(traveller, hours=2)
        ticket = services.ticket_transition(
            ticket=ticket, to_status="in_progress", actor=agent, expected_version=None
        )
        assert stored_due(ticket) == T0 + timedelta(days=5, hours=2)
        ticket = services.ticket_set_priority(
            ticket=ticket, actor=agent, expected_version=None, priority=1, reason="CEO laptop"
        )
        assert stored_due(ticket) == clock(ticket).due_at
        services.ticket_transition(
            ticket=ticket,
            to_status="resolved",
            actor=agent,
            expected_version=None,
            resolution_code="solved",
            resolution_notes="Fixed.",
        )
    assert stored_due(ticket) is None  # both met


def test_the_refresh_recomputes_what_was_written_around_the_services(requester):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=requester)
    SlaClock.objects.filter(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).update(
        state=SlaState.MET, stopped_at=T0
    )
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=None)
    assert sla_due_refresh(ticket_ids=[ticket.pk]) == 1
    assert stored_due(ticket) == clock(ticket).due_at
    SlaClock.objects.filter(ticket=ticket).delete()
    sla_due_refresh()
    assert stored_due(ticket) is None
