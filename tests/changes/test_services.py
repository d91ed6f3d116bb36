"""Change services on real Postgres: CAB votes and quorum, paths, conflicts, notices."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from changes import selectors, services
from changes.models import (
    CabApproval,
    CabMember,
    ChangeNotice,
    ChangePolicy,
    ChangeRequest,
    ChangeTemplate,
)
from itsm.audit.models import AuditEvent
from itsm.core.exceptions import (
    DomainError,
    PermissionRefused,
    StaleVersion,
    TransitionNotAllowed,
)
from itsm.notifications.models import Notification
from tests.changes.factories import (
    RISK_LOW,
    approve_all,
    blackout,
    cab,
    change_manager,
    make_change,
    move,
    to_cab,
)
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 10, 22, 0, tzinfo=UTC)


@pytest.fixture
def manager_cm(db):
    return change_manager()


@pytest.fixture
def erp(db):
    return ServiceFactory(name="ERP", criticality="high")


def actions(change):
    return list(
        AuditEvent.objects.filter(record_id=change.pk, record_label=change.number)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- CAB ---


def test_two_of_three_cab_members_approve_by_majority(manager_cm, erp):
    members = cab(3)
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    change = to_cab(change, manager_cm)
    assert change.quorum_rule == "majority"
    assert CabApproval.objects.filter(change=change).count() == 3
    change = approve_all(change, members[:1])
    assert change.cab_decision == "pending"
    change = approve_all(change, members[1:2])
    assert change.cab_decision == "approved"
    assert actions(change).count("cab_approved") == 2


def test_rejection_by_quorum_moves_the_change_to_rejected(manager_cm, erp):
    members = cab(2)
    ChangePolicy.objects.create(quorum_rule="all")
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    change = services.change_decide(
        change=change, actor=members[0], decision="rejected", comment="Too risky at month end."
    )
    assert change.status == "rejected"
    assert change.cab_decision == "rejected"
    event = AuditEvent.objects.filter(record_id=change.pk, action="cab_rejected").get()
    assert event.actor == members[0]
    assert event.message == "Too risky at month end."


def test_rejecting_needs_a_comment(manager_cm, erp):
    members = cab(1)
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    with pytest.raises(Exception, match="Say why"):
        services.change_decide(change=change, actor=members[0], decision="rejected")


def test_only_cab_members_asked_may_vote(manager_cm, erp, agent):
    cab(2)
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    with pytest.raises(PermissionRefused):
        services.change_decide(change=change, actor=agent, decision="approved")
    with pytest.raises(PermissionRefused):
        services.change_decide(change=change, actor=manager_cm, decision="approved")
    assert not AuditEvent.objects.filter(record_id=change.pk, action="cab_approved").exists()


def test_a_member_votes_once(manager_cm, erp):
    members = cab(3)
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    services.change_decide(change=change, actor=members[0], decision="approved")
    with pytest.raises(TransitionNotAllowed, match="already decided"):
        services.change_decide(change=change, actor=members[0], decision="approved")


class _Undo(Exception):
    pass


def _vote_accepted(change, actor) -> bool:
    """Whether change_decide takes this actor's approval (rolled back either way)."""
    try:
        with transaction.atomic():
            services.change_decide(
                change=ChangeRequest.objects.get(pk=change.pk), actor=actor, decision="approved"
            )
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def _offered(change, actor) -> bool:
    fresh = ChangeRequest.objects.prefetch_related("approvals").get(pk=change.pk)
    return services.change_can_vote(change=fresh, actor=actor)


def test_the_vote_buttons_follow_the_rule_change_decide_applies(manager_cm, erp, agent):
    members = cab(2)
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    for actor, may in ((members[0], True), (members[1], True), (agent, False), (manager_cm, False)):
        assert _offered(change, actor) is may
        assert _vote_accepted(change, actor) is may
    services.change_decide(change=change, actor=members[0], decision="approved")
    assert _offered(change, members[0]) is False
    assert _vote_accepted(change, members[0]) is False


def test_no_one_is_offered_a_vote_on_a_change_not_awaiting_the_cab(manager_cm, erp):
    members = cab(1)
    draft = make_change(actor=manager_cm, start=T0, services=[erp])
    assert _offered(draft, members[0]) is False
    decided = approve_all(
        to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm), members
    )
    assert decided.cab_decision == "approved"
    assert _offered(decided, members[0]) is False


def test_the_change_manager_is_offered_the_vote_on_the_emergency_path(manager_cm, erp, agent):
    """GIVEN an emergency change implemented first, awaiting the emergency CAB's review, and a
    change manager who is on the emergency CAB list without being a CAB member
    THEN the page offers the vote to the change manager (stand-in) as change_decide accepts it."""
    cab(1)
    CabMember.objects.create(user=manager_cm, is_emergency=True)
    change = make_change(actor=manager_cm, start=T0, services=[erp], change_type="emergency")
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        change = move(change, manager_cm, "implementing", reason="Payroll is down.")
    assert CabApproval.objects.filter(change=change, approver=manager_cm).exists()
    assert (_offered(change, manager_cm), _vote_accepted(change, manager_cm)) == (True, True)
    assert (_offered(change, agent), _vote_accepted(change, agent)) == (False, False)


def test_cab_members_for_the_affected_services_are_the_approvers(manager_cm, erp):
    members = cab(3)
    crm = ServiceFactory(name="CRM")
    CabMember.objects.create(user=members[0]).services.set([erp])
    CabMember.objects.create(user=members[1]).services.set([crm])
    CabMember.objects.create(user=members[2])  # sits for every service
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    approvers = set(change.approvals.values_list("approver__email", flat=True))
    assert approvers == {members[0].email, members[2].email}


def test_count_quorum_from_policy(manager_cm, erp):
    members = cab(3)
    ChangePolicy.objects.create(quorum_rule="count", quorum_count=1)
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    change = approve_all(change, members[:1])
    assert change.cab_decision == "approved"


def test_going_to_cab_without_any_cab_member_is_refused(manager_cm, erp):
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    with pytest.raises(TransitionNotAllowed, match="Nobody is on the CAB"):
        to_cab(change, manager_cm)


# --- Paths ---


def test_normal_change_end_to_end_with_review(manager_cm, erp):
    members = cab(2)
    change = to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm)
    approve_all(change, members)
    move(change, manager_cm, "scheduled")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        change = move(change, manager_cm, "implementing")
        assert change.actual_start == T0 + timedelta(minutes=5)
        change = move(change, manager_cm, "review", review_outcome="successful")
    change = move(change, manager_cm, "closed", review_notes="All good.")
    assert change.status == "closed"
    assert change.review_notes == "All good."
    assert actions(change).count("status_changed") == 6


def test_standard_change_from_template_skips_cab(manager_cm, erp):
    template = ChangeTemplate.objects.create(
        name="Restart application pool",
        implementation_plan="Recycle the pool.",
        backout_plan="None needed.",
    )
    template.services.set([erp])
    change = services.change_create(
        actor=manager_cm,
        title="Restart ERP pool",
        template=template,
        planned_start=T0,
        planned_end=T0 + timedelta(minutes=30),
    )
    assert change.change_type == "standard"
    assert change.risk_level == "low"
    assert list(change.services.all()) == [erp]
    change = move(change, manager_cm, "scheduled")
    assert change.status == "scheduled"
    assert not change.approvals.exists()


def test_standard_change_needs_a_template(manager_cm):
    with pytest.raises(Exception, match="pre-approved template"):
        services.change_create(actor=manager_cm, title="x", change_type="standard")


def test_emergency_change_uses_emergency_cab_with_fewer_approvers(manager_cm, erp):
    members = cab(3)
    CabMember.objects.create(user=members[0], is_emergency=True)
    CabMember.objects.create(user=members[1])
    CabMember.objects.create(user=members[2])
    change = make_change(actor=manager_cm, start=T0, services=[erp], change_type="emergency")
    change = move(change, manager_cm, "cab")
    assert change.quorum_rule == "count"
    assert change.quorum_count == 1
    assert list(change.approvals.values_list("approver", flat=True)) == [members[0].pk]
    change = approve_all(change, members[:1])
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        change = move(change, manager_cm, "implementing")
    assert change.status == "implementing"


def test_emergency_change_implemented_first_is_reviewed_by_cab_after(manager_cm, erp):
    cab(2)
    change = make_change(actor=manager_cm, start=T0, services=[erp], change_type="emergency")
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        change = move(change, manager_cm, "implementing", reason="Payroll is down.")
    assert change.cab_decision == "pending"
    change = move(change, manager_cm, "review", review_outcome="successful")
    with pytest.raises(TransitionNotAllowed, match="emergency CAB must review"):
        move(change, manager_cm, "closed", review_notes="Fixed.")
    # The change manager may stand in on the emergency path.
    change = services.change_decide(change=change, actor=manager_cm, decision="approved")
    assert change.cab_decision == "approved"
    assert move(change, manager_cm, "closed", review_notes="Fixed.").status == "closed"


def test_stale_version_is_refused(manager_cm, erp):
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    with pytest.raises(StaleVersion):
        services.change_transition(
            change=change,
            actor=manager_cm,
            to_status="assessment",
            expected_version=change.version - 1 if change.version > 1 else 99,
        )


def test_only_the_change_manager_or_requester_edits_a_change(manager_cm, erp):
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    (member,) = cab(1)
    with pytest.raises(PermissionRefused, match="change manager or the change's requester"):
        services.change_update(
            change=change, actor=member, expected_version=change.version, title="Rewritten"
        )
    change.refresh_from_db()
    assert change.title != "Rewritten"
    assert "updated" not in actions(change)


# --- Risk ---


def test_risk_assessment_uses_service_criticality_and_is_audited(manager_cm, erp):
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    answers = {"impact": "outage", "likelihood": "medium", "backout": "hard"}
    change = services.change_assess_risk(
        change=change, actor=manager_cm, expected_version=change.version, answers=answers
    )
    assert change.risk_answers["criticality"] == "high"
    assert change.risk_assessed_level == "high"
    assert "risk_assessed" in actions(change)


def test_risk_override_needs_reason_and_the_change_manager(manager_cm, erp, agent):
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    with pytest.raises(PermissionRefused):
        services.change_override_risk(
            change=change, actor=agent, expected_version=change.version, level="high", reason="x"
        )
    with pytest.raises(Exception, match="Say why"):
        services.change_override_risk(
            change=change,
            actor=manager_cm,
            expected_version=change.version,
            level="high",
            reason=" ",
        )
    change = services.change_override_risk(
        change=change,
        actor=manager_cm,
        expected_version=change.version,
        level="high",
        reason="Quarter close next day.",
    )
    assert change.risk_level == "high"
    event = AuditEvent.objects.get(record_id=change.pk, action="risk_overridden")
    assert event.changes["risk_override_level"] == {"from": "", "to": "high"}


# --- Conflicts ---


def test_touching_windows_do_not_conflict(manager_cm, erp):
    first = make_change(actor=manager_cm, start=T0, hours=2, services=[erp])
    move(first, manager_cm, "assessment")
    second = make_change(actor=manager_cm, start=T0 + timedelta(hours=2), services=[erp])
    assert selectors.change_conflicts(change=second).overlaps == []
    third = make_change(actor=manager_cm, start=T0 + timedelta(hours=1, minutes=59), services=[erp])
    assert [c.number for c in selectors.change_conflicts(change=third).overlaps] == [first.number]


def test_overlap_on_a_shared_ci_conflicts_but_other_services_do_not(manager_cm, erp):
    crm = ServiceFactory(name="CRM")
    ci = ConfigurationItemFactory(name="db-01", service=None)
    first = make_change(actor=manager_cm, start=T0, services=[crm], cis=[ci])
    move(first, manager_cm, "assessment")
    other = make_change(actor=manager_cm, start=T0, services=[erp])
    assert not selectors.change_conflicts(change=other)
    same_ci = make_change(actor=manager_cm, start=T0, services=[erp], cis=[ci])
    assert selectors.change_conflicts(change=same_ci).overlaps == [first]


def test_drafts_and_cancelled_changes_are_not_conflicts(manager_cm, erp):
    make_change(actor=manager_cm, start=T0, services=[erp])  # stays a draft
    other = make_change(actor=manager_cm, start=T0, services=[erp])
    assert selectors.change_conflicts(change=other).overlaps == []


def test_overlap_across_time_zones_is_by_instant(manager_cm, erp):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # 23:00–01:00 in Berlin (summer, UTC+2) is 21:00–23:00 UTC = 17:00–19:00 in New York.
    first = make_change(
        actor=manager_cm, start=datetime(2026, 6, 10, 23, 0, tzinfo=berlin), services=[erp]
    )
    move(first, manager_cm, "assessment")
    touching = make_change(
        actor=manager_cm, start=datetime(2026, 6, 10, 19, 0, tzinfo=new_york), services=[erp]
    )
    assert selectors.change_conflicts(change=touching).overlaps == []
    inside = make_change(
        actor=manager_cm, start=datetime(2026, 6, 10, 18, 30, tzinfo=new_york), services=[erp]
    )
    assert selectors.change_conflicts(change=inside).overlaps == [first]


def test_blackout_for_all_services_or_the_same_service_is_a_warning(manager_cm, erp):
    crm = ServiceFactory(name="CRM")
    blackout(name="CRM freeze", start=T0, end=T0 + timedelta(days=1), services_=[crm])
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    assert selectors.change_conflicts(change=change).blackouts == []
    blackout(name="Month-end", start=T0 - timedelta(hours=1), end=T0 + timedelta(minutes=1))
    names = [b.name for b in selectors.change_conflicts(change=change).blackouts]
    assert names == ["Month-end"]


def test_blackout_ending_when_the_change_starts_does_not_conflict(manager_cm, erp):
    blackout(start=T0 - timedelta(days=1), end=T0)
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    assert not selectors.change_conflicts(change=change)


def test_scheduling_into_a_blackout_needs_and_keeps_an_override_reason(manager_cm, erp):
    members = cab(1)
    blackout(start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1))
    change = approve_all(
        to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm), members
    )
    with pytest.raises(TransitionNotAllowed, match="blackout"):
        move(change, manager_cm, "scheduled")
    change = move(change, manager_cm, "scheduled", blackout_override_reason="Security patch.")
    assert change.blackout_override_reason == "Security patch."


def test_implementing_early_keeps_the_override_reason(manager_cm, erp):
    members = cab(1)
    change = approve_all(
        to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm), members
    )
    move(change, manager_cm, "scheduled")
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        with pytest.raises(TransitionNotAllowed, match="outside the planned window"):
            move(change, manager_cm, "implementing")
        change = move(change, manager_cm, "implementing", window_override_reason="Vendor early.")
    assert change.window_override_reason == "Vendor early."


# --- Service desk ---


def test_changes_near_a_ticket_are_within_72_hours_on_its_service_or_ci(manager_cm, erp, agent):
    ci = ConfigurationItemFactory(name="erp-app-01", service=erp)
    now = timezone.now()
    recent = make_change(actor=manager_cm, start=now - timedelta(hours=10), services=[erp])
    move(recent, manager_cm, "assessment")
    old = make_change(actor=manager_cm, start=now - timedelta(hours=80), services=[erp])
    move(old, manager_cm, "assessment")
    on_ci = make_change(actor=manager_cm, start=now + timedelta(hours=70), cis=[ci])
    move(on_ci, manager_cm, "assessment")
    ticket = make_ticket(requester=agent, service=erp, ci=ci)
    assert [c.number for c in selectors.changes_near_ticket(ticket=ticket)] == [
        recent.number,
        on_ci.number,
    ]


def test_linking_a_caused_incident_counts_against_the_success_rate(manager_cm, erp, agent):
    members = cab(1)
    change = approve_all(
        to_cab(make_change(actor=manager_cm, start=T0, services=[erp]), manager_cm), members
    )
    move(change, manager_cm, "scheduled")
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        move(change, manager_cm, "implementing")
    move(change, manager_cm, "review", review_outcome="successful")
    move(change, manager_cm, "closed", review_notes="ok")
    assert selectors.change_success_rate() == {"total": 1, "successful": 1, "rate": 100.0}
    incident = make_ticket(requester=agent, service=erp)
    services.change_link_incident(change=change, incident=incident, actor=agent)
    services.change_link_incident(change=change, incident=incident, actor=agent)
    assert change.incident_links.count() == 1
    assert actions(change).count("incident_linked") == 1
    assert selectors.change_success_rate() == {"total": 1, "successful": 0, "rate": 0.0}


def test_planned_maintenance_lists_the_next_seven_days(manager_cm, erp):
    template = ChangeTemplate.objects.create(name="Patch")
    now = timezone.now()
    soon = services.change_create(
        actor=manager_cm,
        title="Patch ERP",
        template=template,
        services=[erp],
        planned_start=now + timedelta(days=2),
        planned_end=now + timedelta(days=2, hours=1),
    )
    move(soon, manager_cm, "scheduled")
    later = services.change_create(
        actor=manager_cm,
        title="Patch ERP later",
        template=template,
        services=[erp],
        planned_start=now + timedelta(days=9),
        planned_end=now + timedelta(days=9, hours=1),
    )
    move(later, manager_cm, "scheduled")
    banner = selectors.change_list_planned_maintenance(limit=5)
    assert [(b.number, b.services) for b in banner] == [(soon.number, ("ERP",))]


# --- Notices ---


def test_service_desk_is_told_once_before_a_change_starts(
    manager_cm, erp, service_desk_team, agent
):
    ChangePolicy.objects.create(notice_lead_minutes=60, service_desk_team=service_desk_team)
    template = ChangeTemplate.objects.create(name="Patch")
    change = services.change_create(
        actor=manager_cm,
        title="Patch ERP",
        template=template,
        services=[erp],
        planned_start=T0,
        planned_end=T0 + timedelta(hours=1),
    )
    move(change, manager_cm, "scheduled")
    with time_machine.travel(T0 - timedelta(minutes=90), tick=False):
        assert services.change_notify_upcoming() == 0
    with time_machine.travel(T0 - timedelta(minutes=30), tick=False):
        assert services.change_notify_upcoming() == 1
        assert services.change_notify_upcoming() == 0
    assert ChangeNotice.objects.filter(change=change, kind="starting").count() == 1
    sent = Notification.objects.filter(event="change_starting")
    assert list(sent.values_list("recipient__email", flat=True).distinct()) == [agent.email]


def test_completion_and_backout_notify_the_service_desk(manager_cm, erp, service_desk_team, agent):
    ChangePolicy.objects.create(service_desk_team=service_desk_team)
    template = ChangeTemplate.objects.create(name="Patch")
    change = services.change_create(
        actor=manager_cm,
        title="Patch ERP",
        template=template,
        services=[erp],
        planned_start=T0,
        planned_end=T0 + timedelta(hours=1),
    )
    move(change, manager_cm, "scheduled")
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        move(change, manager_cm, "implementing")
    move(change, manager_cm, "review", review_outcome="backed_out")
    assert Notification.objects.filter(event="change_backed_out").count() >= 1
    assert not Notification.objects.filter(event="change_completed").exists()


def test_risk_answers_unknown_are_a_400_not_a_crash(manager_cm, erp):
    change = make_change(actor=manager_cm, start=T0, services=[erp])
    with pytest.raises(Exception, match="choose one of"):
        services.change_assess_risk(
            change=change,
            actor=manager_cm,
            expected_version=change.version,
            answers={**RISK_LOW, "impact": "galactic"},
        )


# --- Problem it fixes ---


def _close_successfully(change, actor):
    change = move(change, actor, "scheduled")
    with time_machine.travel(change.planned_start + timedelta(minutes=1), tick=False):
        move(change, actor, "implementing")
    move(change, actor, "review", review_outcome="successful")
    return move(change, actor, "closed", review_notes="Fixed for good.")


def _problem():
    from problems.models import Problem

    return Problem.objects.create(
        number=Problem.next_number(),
        statement="ERP locks up at month end",
        status="fix_in_progress",
        root_cause="Lock escalation in the batch job.",
    )


def test_closing_a_successful_fix_resolves_its_problem_through_problems_services(erp):
    from itsm.accounts.roles import Role
    from tests.factories.accounts import UserFactory

    both = UserFactory(email="pat@example.com", roles=[Role.CHANGE_MANAGER, Role.PROBLEM_MANAGER])
    problem = _problem()
    template = ChangeTemplate.objects.create(name="Batch fix")
    change = services.change_create(
        actor=both,
        title="Fix batch locking",
        template=template,
        services=[erp],
        planned_start=T0,
        planned_end=T0 + timedelta(hours=1),
        problem=problem,
    )
    _close_successfully(change, both)
    problem.refresh_from_db()
    assert problem.status == "resolved"
    assert change.number in problem.resolution_notes


def test_a_problem_the_actor_may_not_move_is_left_with_a_note(manager_cm, erp):
    # Change managers may resolve problems by default; take that away for this one.
    from django.contrib.auth.models import Group, Permission

    from itsm.accounts.models import User
    from itsm.accounts.roles import Role

    Group.objects.get(name=Role.CHANGE_MANAGER).permissions.remove(
        Permission.objects.get(content_type__app_label="problems", codename="change_problem")
    )
    manager_cm = User.objects.get(pk=manager_cm.pk)  # fresh permission cache
    problem = _problem()
    template = ChangeTemplate.objects.create(name="Batch fix")
    change = services.change_create(
        actor=manager_cm,
        title="Fix batch locking",
        template=template,
        services=[erp],
        planned_start=T0,
        planned_end=T0 + timedelta(hours=1),
        problem=problem,
    )
    change = _close_successfully(change, manager_cm)
    assert change.status == "closed"
    problem.refresh_from_db()
    assert problem.status == "fix_in_progress"
    assert "problem_not_resolved" in actions(change)


def test_the_portal_maintenance_banner_reads_the_public_title_not_the_internal_one(manager_cm, erp):
    """GIVEN a scheduled change titled for the desk WHEN requesters see the maintenance banner
    THEN they read its public wording; left empty, that wording starts as the title."""
    template = ChangeTemplate.objects.create(name="Patch ERP", implementation_plan="Patch.")
    template.services.set([erp])
    start = timezone.now() + timedelta(days=1)
    internal = services.change_create(
        actor=manager_cm,
        title="Patch ERP servers [demo]",
        public_title="ERP security updates",
        template=template,
        planned_start=start,
        planned_end=start + timedelta(hours=2),
    )
    move(internal, manager_cm, "scheduled")
    plain = services.change_create(actor=manager_cm, title="Restart ERP pool")
    assert plain.public_title == "Restart ERP pool"
    banner = selectors.change_list_planned_maintenance(limit=5)
    assert [b.title for b in banner] == ["ERP security updates"]


# --- The requesters' wording ---


def test_the_public_wording_stays_correctable_while_the_change_is_live(manager_cm, erp, agent):
    """The banner's wording is not what the CAB approved: it can be corrected in scheduled and
    implementing (the banner shows it at once), by the change manager only, until closed."""
    members = cab(1)
    change = to_cab(
        make_change(actor=manager_cm, start=T0, services=[erp], title="[ops] Patch ERP"),
        manager_cm,
    )
    approve_all(change, members)
    change = move(change, manager_cm, "scheduled")
    with pytest.raises(DomainError, match="no longer be edited"):
        services.change_update(
            change=change, actor=manager_cm, expected_version=change.version, public_title="x"
        )
    change = services.change_set_public_title(
        change=change, actor=manager_cm, expected_version=change.version, public_title=" ERP "
    )
    assert change.public_title == "ERP"
    with pytest.raises(PermissionRefused):
        services.change_set_public_title(
            change=change, actor=agent, expected_version=change.version, public_title="Agent's"
        )
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        change = move(change, manager_cm, "implementing")
        change = services.change_set_public_title(
            change=change,
            actor=manager_cm,
            expected_version=change.version,
            public_title="ERP is read-only until 23:00",
        )
        [banner] = selectors.change_list_planned_maintenance(limit=5)
        assert banner.title == "ERP is read-only until 23:00"
        with pytest.raises(StaleVersion):
            services.change_set_public_title(
                change=change, actor=manager_cm, expected_version=1, public_title="Late"
            )
        change = move(change, manager_cm, "review", review_outcome="successful")
    change = services.change_set_public_title(
        change=change, actor=manager_cm, expected_version=change.version, public_title="ERP done"
    )
    change = move(change, manager_cm, "closed", review_notes="All good.")
    with pytest.raises(DomainError, match="no longer announced") as refused:
        services.change_set_public_title(
            change=change, actor=manager_cm, expected_version=change.version, public_title="Late"
        )
    assert refused.value.field == "public_title"
    change.refresh_from_db()
    assert change.public_title == "ERP done"
    assert actions(change).count("public_title_changed") == 3
