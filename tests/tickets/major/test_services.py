"""Major incidents: declaration, stakeholders, cadence reminders, joining, resolving."""

import datetime as dt
import hmac
from hashlib import sha256

import pytest
import time_machine
from django.core import mail

from itsm.accounts.roles import Role
from itsm.core.exceptions import PermissionRefused, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification, WebhookSubscription
from itsm.notifications.services import notification_deliver
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tests.tickets.webhook_receiver import webhook_receiver
from tickets.major import services as major
from tickets.models import MajorIncidentRule, ReminderFired, Ticket

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def payroll(agent_other_team, other_team):
    """A critical service owned by Owen, supported by the Network team."""
    owner = UserFactory(email="owen@example.com", display_name="Owen Owner", roles=[Role.AGENT])
    return ServiceFactory(
        name="Payroll", criticality="critical", owner=owner, support_team=other_team
    )


@pytest.fixture
def p1(requester, agent, payroll):
    return make_ticket(
        requester=requester,
        actor=agent,
        short_description="Payroll is down",
        service=payroll,
        impact=1,
        urgency=1,
    )


def _declare(ticket, actor, **kw):
    return major.major_incident_declare(
        ticket=ticket,
        actor=actor,
        reason=kw.pop("reason", "Nobody can be paid"),
        manager=kw.pop("manager", actor),
        communications_owner=kw.pop("communications_owner", actor),
        **kw,
    )


def test_declaring_flags_the_ticket_with_a_version_bump_and_an_audit_event(p1, manager):
    before = p1.version
    mi = _declare(p1, manager, expected_version=before)
    p1.refresh_from_db()
    assert p1.is_major and p1.version == before + 1
    assert mi.manager == manager and mi.status == "active" and mi.cadence_minutes == 30
    from itsm.audit.models import AuditEvent

    event = AuditEvent.objects.get(record_id=p1.pk, action="major_declared")
    assert event.changes["is_major"] == {"from": False, "to": True}


def test_a_declared_major_incident_takes_p1_as_an_audited_override(requester, agent, manager):
    ticket = make_ticket(requester=requester, actor=agent, short_description="Mail is slow")
    matrix_priority = ticket.priority
    assert matrix_priority != 1
    _declare(ticket, manager)
    ticket.refresh_from_db()
    assert ticket.priority == 1 and ticket.priority_override_reason
    from itsm.audit.models import AuditEvent

    event = AuditEvent.objects.get(record_id=ticket.pk, action="major_declared")
    assert event.changes["priority"] == {"from": matrix_priority, "to": 1}


def test_declaring_with_a_stale_version_is_refused(p1, manager):
    with pytest.raises(StaleVersion):
        _declare(p1, manager, expected_version=p1.version - 1 if p1.version > 1 else 99)


def test_a_requester_cannot_declare_and_a_ticket_is_declared_only_once(p1, requester, manager):
    with pytest.raises(PermissionRefused):
        _declare(p1, requester, manager=manager, communications_owner=manager)
    _declare(p1, manager)
    with pytest.raises(TransitionNotAllowed):
        _declare(p1, manager)


def test_the_manager_must_be_desk_staff(p1, manager, requester):
    from tickets.exceptions import InvalidTicketInput

    with pytest.raises(InvalidTicketInput):
        _declare(p1, manager, manager=requester)


def test_declaration_notifies_each_stakeholder_and_the_service_subscribers_exactly_once(
    p1, manager, agent, agent_other_team, payroll, requester, mailoutbox
):
    """GIVEN a service with owner, support team, the Service Desk team, a desk manager and
    a webhook subscriber; WHEN a major incident is declared and every delivery task runs
    twice (a retry); THEN each person gets one email and the webhook one signed call."""
    other_manager = UserFactory(
        email="mo@example.com", display_name="Mo", roles=[Role.SERVICE_DESK_MANAGER]
    )
    with webhook_receiver() as (url, received):
        hook = WebhookSubscription.objects.create(
            name="Chat", url=f"{url}/payroll", service=payroll
        )
        WebhookSubscription.objects.create(
            name="Other service", url=f"{url}/other", service=ServiceFactory(name="Mail")
        )
        mi = _declare(p1, agent, manager=manager)
        rows = list(Notification.objects.filter(event="major_incident_declared"))
        for _ in range(2):  # the delivery task retried or duplicated
            for row in rows:
                notification_deliver(notification_id=row.pk)

    emails = sorted(m.to[0] for m in mail.outbox if "Major incident declared" in m.subject)
    assert emails == sorted(
        {
            "owen@example.com",  # service owner
            "nick@example.com",  # support team (Network)
            "alice@example.com",  # Service Desk team, and the declarer
            "morgan@example.com",  # manager of the MI, Service Desk team, desk manager
            "mo@example.com",  # another service desk manager
        }
    )
    assert other_manager.email in emails
    assert requester.email not in emails
    assert [r["path"] for r in received] == ["/payroll"]
    body = received[0]["body"]
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, sha256).hexdigest()
    assert received[0]["headers"]["x-itsm-signature"] == expected
    payload = received[0]["json"]
    assert "Major incident declared" in payload["text"] and p1.number in payload["text"]
    assert payload["incident"] == p1.number and payload["manager"] == str(mi.manager)
    assert {r.status for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {"sent"}


def test_the_service_desk_team_comes_from_the_setting(p1, manager, settings):
    TeamFactory(name="Front Desk").members.add(
        UserFactory(email="fd@example.com", roles=[Role.AGENT])
    )
    settings.ITSM_SERVICE_DESK_TEAM = "Front Desk"
    mi = _declare(p1, manager)
    emails = {u.email for u in major.major_incident_stakeholders(major=mi)}
    assert "fd@example.com" in emails
    assert "alice@example.com" not in emails  # the Service Desk team is no longer the desk


@time_machine.travel(START, tick=False)
def test_the_cadence_reminder_fires_once_per_missed_interval(p1, manager):
    mi = _declare(p1, manager)
    assert major.major_incident_reminders() == 0
    with time_machine.travel(START + dt.timedelta(minutes=29), tick=False):
        assert major.major_incident_reminders() == 0
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        assert major.major_incident_reminders() == 1
        assert major.major_incident_reminders() == 0  # the same interval: nothing again
    with time_machine.travel(START + dt.timedelta(minutes=59), tick=False):
        assert major.major_incident_reminders() == 0
    with time_machine.travel(START + dt.timedelta(minutes=61), tick=False):
        assert major.major_incident_reminders() == 1
    assert list(ReminderFired.objects.values_list("cadence_index", flat=True)) == [1, 2]
    reminders = Notification.objects.filter(event="major_incident_update_due")
    assert [r.target for r in reminders] == [manager.email] * 2

    with time_machine.travel(START + dt.timedelta(minutes=70), tick=False):
        major.major_incident_post_update(
            major=mi, actor=manager, body="Still on it", is_public=False
        )
    with time_machine.travel(START + dt.timedelta(minutes=95), tick=False):
        assert major.major_incident_reminders() == 0  # the update restarted the clock
    with time_machine.travel(START + dt.timedelta(minutes=101), tick=False):
        assert major.major_incident_reminders() == 1


def test_a_resolved_major_incident_is_not_reminded(p1, manager):
    with time_machine.travel(START, tick=False):
        mi = _declare(p1, manager)
        major.major_incident_resolve(major=mi, actor=manager, public_note="Fixed.")
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        assert major.major_incident_reminders() == 0


def test_joining_creates_one_child_incident_per_requester(p1, manager, other_requester):
    mi = _declare(p1, manager)
    child = major.major_incident_join(
        major=mi, requester=other_requester, description="Cannot see my payslip"
    )
    again = major.major_incident_join(major=mi, requester=other_requester, description="Me too")
    assert child.pk == again.pk
    assert child.parent_id == p1.pk and child.requester == other_requester
    assert child.service_id == p1.service_id and child.number.startswith("INC")


def test_public_updates_reach_requesters_and_internal_ones_never_do(
    p1, manager, requester, other_requester, mailoutbox
):
    mi = _declare(p1, manager)
    major.major_incident_join(major=mi, requester=other_requester, description="Me too")
    Notification.objects.all().delete()

    major.major_incident_post_update(
        major=mi, actor=manager, body="SECRET: vendor blamed", is_public=False
    )
    major.major_incident_post_update(
        major=mi, actor=manager, body="We found the cause", is_public=True
    )
    for row in Notification.objects.all():
        notification_deliver(notification_id=row.pk)

    to_requesters = [m for m in mail.outbox if m.to[0] in (requester.email, other_requester.email)]
    assert sorted(m.to[0] for m in to_requesters) == sorted(
        [requester.email, other_requester.email]
    )
    assert all("We found the cause" in m.body for m in to_requesters)
    assert not any("SECRET" in m.body or "SECRET" in m.subject for m in mail.outbox)
    assert not Notification.objects.filter(body_text__contains="SECRET").exists()


def test_resolving_resolves_every_open_child_with_the_public_note_and_tells_requesters(
    p1, manager, requester, other_requester, mailoutbox
):
    mi = _declare(p1, manager)
    child = major.major_incident_join(major=mi, requester=other_requester, description="Me too")
    third = UserFactory(email="tia@example.com", roles=[Role.REQUESTER])
    withdrawn = major.major_incident_join(major=mi, requester=third, description="x")
    from tickets.services import ticket_transition

    ticket_transition(
        ticket=withdrawn, to_status="cancelled", actor=third, expected_version=None, reason="ok"
    )
    Notification.objects.all().delete()

    major.major_incident_resolve(major=mi, actor=manager, public_note="The payroll DB is back.")

    mi.refresh_from_db()
    assert mi.status == "resolved" and mi.resolved_at is not None
    for ticket in (p1, child):
        ticket.refresh_from_db()
        assert ticket.status == "resolved"
        assert ticket.resolution_notes == "The payroll DB is back."
    withdrawn.refresh_from_db()
    assert withdrawn.status == "cancelled"
    child.refresh_from_db()
    assert child.resolved_by is None  # the system resolved it
    for row in Notification.objects.filter(event="ticket_status_changed"):
        notification_deliver(notification_id=row.pk)
    told = {m.to[0]: m.body for m in mail.outbox}
    assert "The payroll DB is back." in told[other_requester.email]
    assert "The payroll DB is back." in told[requester.email]
    with pytest.raises(TransitionNotAllowed):
        major.major_incident_resolve(major=mi, actor=manager, public_note="again")


def test_the_review_is_written_only_after_resolution(p1, manager):
    mi = _declare(p1, manager)
    with pytest.raises(TransitionNotAllowed):
        major.major_incident_review_record(
            major=mi, actor=manager, timeline="t", root_cause="", actions=""
        )
    major.major_incident_resolve(major=mi, actor=manager, public_note="Fixed.")
    review = major.major_incident_review_record(
        major=mi, actor=manager, timeline="09:00 down", root_cause="Disk full", actions="Alert"
    )
    assert review.root_cause == "Disk full"


def test_rules_propose_a_p1_on_a_critical_service_and_a_burst_but_not_noise(
    requester, agent, payroll
):
    MajorIncidentRule.objects.create(name="P1 critical", kind="p1_critical_service")
    MajorIncidentRule.objects.create(
        name="Burst", kind="incident_burst", threshold_count=3, window_minutes=30
    )
    mail_service = ServiceFactory(name="Mail", criticality="low")
    p1_low = make_ticket(
        requester=requester, actor=agent, service=mail_service, impact=1, urgency=1
    )
    p1_crit = make_ticket(requester=requester, actor=agent, service=payroll, impact=1, urgency=1)
    burst = [make_ticket(requester=requester, actor=agent, service=mail_service) for _ in range(2)]
    proposals = major.major_incident_candidates()
    by_ticket = {p.ticket.pk: p for p in proposals}
    assert p1_crit.pk in by_ticket and by_ticket[p1_crit.pk].rule.name == "P1 critical"
    # Three incidents on Mail within 30 minutes: the first is proposed, with all three.
    assert by_ticket[p1_low.pk].rule.name == "Burst"
    assert by_ticket[p1_low.pk].ticket_ids == [p1_low.pk, *[t.pk for t in burst]]
    assert len(proposals) == 2
    Ticket.objects.filter(service=mail_service).update(
        created_at=START  # long ago: no longer a burst
    )
    assert [p.ticket.pk for p in major.major_incident_candidates()] == [p1_crit.pk]
