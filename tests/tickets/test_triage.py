"""Re-triage after creation (issue 16): `ticket_update` edits every field the desk sets when
raising a ticket, version-checked and audited from → to; assigning or replying starts work
on a New ticket; "Reply and set" replies and moves the ticket in one step."""

import pytest

from itsm.audit.models import AuditEvent
from itsm.calendars.selectors import calendar_get_default
from itsm.core.exceptions import StaleVersion
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets import services
from tickets.choices import Channel, ReplyAndSet, TicketStatus
from tickets.exceptions import InvalidTicketInput
from tickets.models import Category, SlaClock, SlaPolicy, Ticket
from tickets.sla.rules import SlaMetric


def updated_event(ticket) -> AuditEvent:
    return AuditEvent.objects.filter(record_id=ticket.pk, action="updated").latest("id")


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- ticket_update: the fields added by this issue ---


def test_requester_channel_and_watchers_are_edited_and_audited_from_to(
    requester, other_requester, agent
):
    ticket = make_ticket(requester=requester, actor=agent, channel=Channel.PHONE)
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        expected_version=1,
        requester=other_requester,
        channel=Channel.EMAIL,
        watchers=[requester, agent],
    )
    ticket = fresh(ticket)
    assert (ticket.requester, ticket.channel) == (other_requester, Channel.EMAIL)
    assert set(ticket.watchers.all()) == {requester, agent}
    changes = updated_event(ticket).changes
    assert changes["requester"] == {"from": "Rita Requester", "to": "Omar Employee"}
    assert changes["channel"] == {"from": "phone", "to": "email"}
    assert changes["watchers"] == {"from": [], "to": ["Alice Agent", "Rita Requester"]}
    assert changes["version"] == {"from": 1, "to": 2}


def test_removing_a_watcher_is_audited_as_the_list_before_and_after(requester, agent, manager):
    ticket = make_ticket(requester=requester)
    ticket.watchers.add(agent, manager)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, watchers=[manager])
    assert list(fresh(ticket).watchers.all()) == [manager]
    assert updated_event(ticket).changes["watchers"] == {
        "from": ["Alice Agent", "Morgan Manager"],
        "to": ["Morgan Manager"],
    }


def test_an_edit_that_leaves_watchers_out_does_not_touch_them_or_audit_them(requester, agent):
    ticket = make_ticket(requester=requester)
    ticket.watchers.add(agent)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, urgency=1)
    assert list(fresh(ticket).watchers.all()) == [agent]
    assert "watchers" not in updated_event(ticket).changes


def test_an_inactive_requester_is_refused_on_the_requester_field(requester, agent):
    ticket = make_ticket(requester=requester)
    gone = UserFactory(email="gone@example.com", is_active=False)
    with pytest.raises(InvalidTicketInput) as refused:
        services.ticket_update(ticket=ticket, actor=agent, expected_version=1, requester=gone)
    assert refused.value.field == "requester"
    assert fresh(ticket).requester == requester


def test_an_unknown_channel_is_refused(requester, agent):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput) as refused:
        services.ticket_update(ticket=ticket, actor=agent, expected_version=1, channel="fax")
    assert refused.value.field == "channel"


def test_a_stale_edit_is_refused_and_changes_nothing(requester, other_requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, urgency=2)
    with pytest.raises(StaleVersion) as stale:
        services.ticket_update(
            ticket=ticket, actor=agent, expected_version=1, requester=other_requester
        )
    assert stale.value.current_version == 2
    assert fresh(ticket).requester == requester


def test_a_subcategory_of_another_category_is_refused_on_its_field(requester, agent):
    hardware = Category.objects.create(name="Hardware")
    software = Category.objects.create(name="Software")
    email = Category.objects.create(name="Email", parent=software)
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput) as refused:
        services.ticket_update(
            ticket=ticket, actor=agent, expected_version=1, category=hardware, subcategory=email
        )
    assert refused.value.field == "subcategory"


def test_a_ci_of_another_service_is_refused_on_its_field(requester, agent):
    erp, mail = ServiceFactory(name="ERP"), ServiceFactory(name="Mail")
    mail_server = ConfigurationItemFactory(name="mx-01", service=mail)
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput) as refused:
        services.ticket_update(
            ticket=ticket, actor=agent, expected_version=1, service=erp, ci=mail_server
        )
    assert refused.value.field == "ci"
    assert "mx-01 is part of Mail, not ERP" in refused.value.message


# --- Priority and SLA ---


def test_impact_and_urgency_recompute_the_priority_and_re_match_the_sla_policy(requester, agent):
    ticket = make_ticket(requester=requester)
    assert (
        ticket.priority,
        SlaClock.objects.get(ticket=ticket, metric="resolution").policy.name,
    ) == (
        5,
        "P5 default",
    )
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, impact=1, urgency=1)
    ticket = fresh(ticket)
    assert ticket.priority == 1
    assert updated_event(ticket).changes["priority"] == {"from": 5, "to": 1}
    clock = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.RESOLUTION)
    assert clock.policy.name == "P1 default"
    event = AuditEvent.objects.get(record_id=ticket.pk, action="sla_reevaluated")
    assert event.changes["sla_policy"] == {"from": "P5 default", "to": "P1 default"}


def test_a_new_service_re_matches_a_policy_that_matches_on_service(requester, agent):
    erp = ServiceFactory(name="ERP")
    SlaPolicy.objects.create(
        name="ERP gold",
        order=1,
        service=erp,
        first_response_minutes=15,
        resolution_minutes=120,
        calendar=calendar_get_default(),
    )
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, service=erp)
    assert SlaClock.objects.get(ticket=ticket, metric="resolution").policy.name == "ERP gold"


def test_an_edit_of_something_policies_do_not_match_on_leaves_the_sla_alone(requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_update(
        ticket=ticket, actor=agent, expected_version=1, short_description="VPN drops hourly"
    )
    assert not AuditEvent.objects.filter(record_id=ticket.pk, action="sla_reevaluated").exists()


def test_an_overridden_priority_keeps_its_value_and_reason_when_impact_changes(requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_set_priority(
        ticket=ticket, actor=agent, expected_version=1, priority=2, reason="Board meeting"
    )
    services.ticket_update(ticket=ticket, actor=agent, expected_version=2, impact=1, urgency=1)
    ticket = fresh(ticket)
    assert (ticket.priority, ticket.priority_override_reason) == (2, "Board meeting")
    assert (ticket.impact, ticket.urgency) == (1, 1)


# --- Assignment: the team's agents only ---


def test_assigning_a_non_member_is_refused_on_the_agent_field(
    requester, agent, agent_other_team, service_desk_team
):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput) as refused:
        services.ticket_assign(
            ticket=ticket,
            actor=agent,
            expected_version=1,
            team=service_desk_team,
            assignee=agent_other_team,
        )
    assert refused.value.field == "assignee"
    assert refused.value.message == "Nick Network is not a member of Service Desk."
    assert fresh(ticket).assignee is None


# --- Work starts when an agent takes the ticket or answers ---


def test_assigning_an_agent_moves_a_new_ticket_to_in_progress_through_the_life_cycle(
    requester, agent, service_desk_team
):
    ticket = make_ticket(requester=requester)
    ticket = services.ticket_assign(
        ticket=ticket, actor=agent, expected_version=1, team=service_desk_team, assignee=agent
    )
    assert fresh(ticket).status == TicketStatus.IN_PROGRESS
    moved = AuditEvent.objects.get(record_id=ticket.pk, action="status_changed")
    assert moved.changes["status"] == {"from": "new", "to": "in_progress"}
    assert moved.message == "Assigned to Alice Agent."
    assert ticket.version == fresh(ticket).version


def test_assigning_only_a_team_leaves_a_new_ticket_new(requester, agent, service_desk_team):
    ticket = make_ticket(requester=requester)
    services.ticket_assign(ticket=ticket, actor=agent, expected_version=1, team=service_desk_team)
    assert fresh(ticket).status == TicketStatus.NEW


def test_an_agents_public_reply_moves_a_new_ticket_to_in_progress(requester, agent):
    ticket = make_ticket(requester=requester)
    services.comment_add(ticket=ticket, author=agent, body="Looking at it.", is_public=True)
    assert fresh(ticket).status == TicketStatus.IN_PROGRESS


def test_a_work_note_or_the_requesters_own_reply_leaves_a_new_ticket_new(requester, agent):
    ticket = make_ticket(requester=requester)
    services.comment_add(ticket=ticket, author=agent, body="Checking logs.", is_public=False)
    services.comment_add(ticket=ticket, author=requester, body="Any news?", is_public=True)
    assert fresh(ticket).status == TicketStatus.NEW


# --- Reply and set ---


def test_reply_and_set_awaiting_requester_sends_the_reply_and_holds_the_ticket(requester, agent):
    ticket = make_ticket(requester=requester)
    comment = services.ticket_reply_and_set(
        ticket=ticket,
        author=agent,
        body="Which VPN client version do you run?",
        set_status=ReplyAndSet.AWAITING_REQUESTER,
        expected_version=1,
    )
    ticket = fresh(ticket)
    assert comment.is_public and comment.ticket_id == ticket.pk
    assert (ticket.status, ticket.on_hold_reason) == (TicketStatus.ON_HOLD, "awaiting_requester")
    moves = [
        e.changes["status"]
        for e in AuditEvent.objects.filter(record_id=ticket.pk, action="status_changed")
    ]
    assert moves == [
        {"from": "new", "to": "in_progress"},
        {"from": "in_progress", "to": "on_hold"},
    ]


def test_reply_and_resolve_uses_the_reply_as_the_resolution_notes(requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_reply_and_set(
        ticket=ticket,
        author=agent,
        body="Reinstalled the client; it connects now.",
        set_status=ReplyAndSet.RESOLVED,
        resolution_code="solved",
        expected_version=1,
    )
    ticket = fresh(ticket)
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolution_notes == "Reinstalled the client; it connects now."
    assert ticket.resolution_code == "solved"


def test_a_refused_move_sends_no_reply_either(requester, agent):
    ticket = make_ticket(requester=requester)
    with pytest.raises(Exception, match="resolution code"):
        services.ticket_reply_and_set(
            ticket=ticket,
            author=agent,
            body="Done.",
            set_status=ReplyAndSet.RESOLVED,
            resolution_code="",
            expected_version=1,
        )
    ticket = fresh(ticket)
    assert ticket.comments.count() == 0
    assert ticket.status == TicketStatus.NEW


def test_reply_and_set_is_version_checked(requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, urgency=2)
    with pytest.raises(StaleVersion):
        services.ticket_reply_and_set(
            ticket=ticket,
            author=agent,
            body="Please try again.",
            set_status=ReplyAndSet.AWAITING_REQUESTER,
            expected_version=1,
        )
    assert fresh(ticket).comments.count() == 0
