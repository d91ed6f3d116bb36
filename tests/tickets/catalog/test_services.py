import pytest

from itsm.accounts.roles import Role
from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.catalog import make_catalog_item
from tickets.catalog import services as catalog
from tickets.choices import ApprovalState, TaskStatus, TicketStatus
from tickets.models import FulfilmentTask

pytestmark = pytest.mark.django_db

LAPTOP_FIELDS = [("model", "choice", True, ("13-inch", "15-inch"))]


@pytest.fixture
def line_manager(db):
    """Rita's line manager: approves her orders, but has no desk role."""
    return UserFactory(email="lena@example.com", display_name="Lena Line", roles=[Role.REQUESTER])


@pytest.fixture
def employee(requester, line_manager):
    requester.manager = line_manager
    requester.save()
    return requester


@pytest.fixture
def licence_board(db):
    team = TeamFactory(name="Licence board")
    team.members.add(
        UserFactory(email="lb1@example.com", display_name="Lou Board", roles=[Role.AGENT]),
        UserFactory(email="lb2@example.com", display_name="Bea Board", roles=[Role.AGENT]),
    )
    return team


def laptop(team, *, tasks=None, **options):
    options.setdefault("requires_manager_approval", True)
    return make_catalog_item(
        name="New laptop",
        fields=LAPTOP_FIELDS,
        fulfilment_team=team,
        tasks=tasks
        if tasks is not None
        else [("Prepare laptop", team, 1), ("Hand over laptop", team, 2)],
        **options,
    )


def order(item, person):
    return catalog.request_order(
        item=item, requester=person, actor=person, form_data={"model": "13-inch"}
    )


def approval_of(ticket, user):
    return ticket.approvals.get(approver=user)


def complete(task, actor, notes=""):
    task.refresh_from_db()
    return catalog.task_complete(task=task, actor=actor, expected_version=task.version, notes=notes)


# --- Ordering ---


def test_ordering_raises_a_request_awaiting_the_managers_approval(
    employee, line_manager, agent, service_desk_team
):
    ticket = order(laptop(service_desk_team), employee)
    assert ticket.number.startswith("REQ")
    assert ticket.short_description == "New laptop"
    assert ticket.description == "Model: 13-inch"
    assert ticket.form_data == {"model": "13-inch"}
    assert ticket.status == TicketStatus.NEW
    assert ticket.approval_state == ApprovalState.PENDING
    assert [a.approver for a in ticket.approvals.all()] == [line_manager]
    assert not ticket.tasks.exists()
    assert Notification.objects.filter(event="approval_requested", recipient=line_manager).exists()
    event = AuditEvent.objects.get(record_id=ticket.pk, action="approval_state_changed")
    assert event.changes["approval_state"] == {"from": "not_required", "to": "pending"}
    assert event.changes["version"] == {"from": 1, "to": 2}


def test_an_item_without_approvals_goes_straight_to_fulfilment(employee, agent, service_desk_team):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.NOT_REQUIRED
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert list(ticket.tasks.values_list("title", "status")) == [
        ("Prepare laptop", TaskStatus.OPEN),
        ("Hand over laptop", TaskStatus.WAITING),
    ]
    assert Notification.objects.filter(event="task_opened", recipient=agent).exists()


def test_bad_answers_are_refused_and_nothing_is_raised(employee, service_desk_team):
    with pytest.raises(catalog.CatalogFormInvalid) as caught:
        catalog.request_order(
            item=laptop(service_desk_team),
            requester=employee,
            actor=employee,
            form_data={"model": "17-inch"},
        )
    assert caught.value.field == "model"
    assert not employee.requested_tickets.exists()


def test_an_item_needing_a_manager_is_refused_when_nobody_can_approve(requester, service_desk_team):
    with pytest.raises(catalog.NoApproverAvailable):
        order(laptop(service_desk_team), requester)


def test_an_inactive_item_cannot_be_ordered(employee, service_desk_team):
    with pytest.raises(catalog.CatalogItemUnavailable):
        order(laptop(service_desk_team, is_active=False), employee)


# --- Approvals ---


def test_manager_approval_starts_fulfilment(employee, line_manager, agent, service_desk_team):
    ticket = order(laptop(service_desk_team), employee)
    decided = catalog.approval_approve(
        approval=approval_of(ticket, line_manager), actor=line_manager, comment="Fine by me"
    )
    assert decided.state == ApprovalState.APPROVED
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.APPROVED
    # The line manager has no desk role: the system makes the move.
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.tasks.filter(status=TaskStatus.OPEN).count() == 1
    assert Notification.objects.filter(event="request_approved", recipient=employee).exists()


def test_all_mode_waits_for_every_approver(
    employee, line_manager, licence_board, service_desk_team, agent
):
    ticket = order(laptop(service_desk_team, approval_team=licence_board), employee)
    approvers = [a.approver for a in ticket.approvals.all()]
    assert len(approvers) == 3
    for approver in approvers[:2]:
        catalog.approval_approve(approval=approval_of(ticket, approver), actor=approver)
        ticket.refresh_from_db()
        assert ticket.approval_state == ApprovalState.PENDING
        assert not ticket.tasks.exists()
    catalog.approval_approve(approval=approval_of(ticket, approvers[2]), actor=approvers[2])
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.APPROVED
    assert ticket.tasks.count() == 2


def test_any_mode_is_approved_by_the_first_approver(
    employee, licence_board, service_desk_team, agent
):
    item = laptop(
        service_desk_team,
        requires_manager_approval=False,
        approval_team=licence_board,
        approval_mode="any",
    )
    ticket = order(item, employee)
    first, second = (a.approver for a in ticket.approvals.all())
    catalog.approval_approve(approval=approval_of(ticket, second), actor=second)
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.APPROVED
    assert approval_of(ticket, first).state == ApprovalState.NOT_REQUIRED
    with pytest.raises(TransitionNotAllowed):
        catalog.approval_approve(approval=approval_of(ticket, first), actor=first)


def test_a_rejection_in_all_mode_cancels_the_request_with_the_reason(
    employee, line_manager, licence_board, service_desk_team, agent
):
    ticket = order(laptop(service_desk_team, approval_team=licence_board), employee)
    catalog.approval_reject(
        approval=approval_of(ticket, line_manager),
        actor=line_manager,
        comment="You got a new laptop in March.",
    )
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.REJECTED
    assert ticket.status == TicketStatus.CANCELLED
    assert not ticket.tasks.exists()
    assert not ticket.approvals.filter(state=ApprovalState.PENDING).exists()
    cancelled = AuditEvent.objects.get(record_id=ticket.pk, action="status_changed")
    assert "You got a new laptop in March." in cancelled.message
    note = Notification.objects.get(event="request_rejected", recipient=employee)
    assert "You got a new laptop in March." in note.body_text


def test_any_mode_is_rejected_only_when_everyone_rejects(
    employee, licence_board, service_desk_team
):
    item = laptop(
        service_desk_team,
        requires_manager_approval=False,
        approval_team=licence_board,
        approval_mode="any",
    )
    ticket = order(item, employee)
    first, second = (a.approver for a in ticket.approvals.all())
    catalog.approval_reject(approval=approval_of(ticket, first), actor=first, comment="No budget")
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.PENDING
    catalog.approval_reject(approval=approval_of(ticket, second), actor=second, comment="Agreed")
    ticket.refresh_from_db()
    assert ticket.approval_state == ApprovalState.REJECTED
    assert ticket.status == TicketStatus.CANCELLED


def test_only_the_approver_can_decide(
    employee, line_manager, other_requester, agent, service_desk_team
):
    ticket = order(laptop(service_desk_team), employee)
    for intruder in (other_requester, agent, employee):
        with pytest.raises(PermissionRefused):
            catalog.approval_approve(approval=approval_of(ticket, line_manager), actor=intruder)


def test_a_named_approver_without_the_permission_to_decide_is_refused(
    employee, line_manager, service_desk_team
):
    """Being named is not enough: deciding is an act with its permission (DESIGN §5), which an
    account that lost its roles no longer holds."""
    ticket = order(laptop(service_desk_team), employee)
    line_manager.groups.clear()
    stripped = type(line_manager).objects.get(pk=line_manager.pk)
    for decide in (catalog.approval_approve, catalog.approval_reject):
        with pytest.raises(PermissionRefused, match="may not decide approvals"):
            decide(approval=approval_of(ticket, stripped), actor=stripped, comment="Fine")
    assert approval_of(ticket, stripped).state == ApprovalState.PENDING
    ticket.refresh_from_db()
    assert (ticket.approval_state, ticket.status) == (ApprovalState.PENDING, TicketStatus.NEW)


def test_deciding_twice_is_refused(employee, line_manager, agent, service_desk_team):
    ticket = order(laptop(service_desk_team), employee)
    catalog.approval_approve(approval=approval_of(ticket, line_manager), actor=line_manager)
    with pytest.raises(TransitionNotAllowed):
        catalog.approval_reject(
            approval=approval_of(ticket, line_manager),
            actor=line_manager,
            comment="Changed my mind",
        )


def test_rejecting_needs_a_comment(employee, line_manager, service_desk_team):
    ticket = order(laptop(service_desk_team), employee)
    with pytest.raises(catalog.DomainError) as caught:
        catalog.approval_reject(
            approval=approval_of(ticket, line_manager), actor=line_manager, comment="  "
        )
    assert caught.value.field == "comment"


def test_requesters_never_approve_their_own_order(employee, licence_board, service_desk_team):
    licence_board.members.add(employee)
    ticket = order(laptop(service_desk_team, approval_team=licence_board), employee)
    assert employee not in [a.approver for a in ticket.approvals.all()]


# --- Fulfilment ---


def test_steps_run_in_sequence_and_the_request_resolves_when_all_are_done(
    employee, agent, service_desk_team
):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    first, second = ticket.tasks.all()
    assert first.number.startswith("TASK")
    with pytest.raises(TransitionNotAllowed):
        complete(second, agent)
    complete(first, agent, notes="Imaged")
    second.refresh_from_db()
    assert second.status == TaskStatus.OPEN
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    complete(second, agent)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolution_code == "fulfilled"
    # The teams' task notes are internal: the requester reads the request's own wording.
    assert "Imaged" not in ticket.resolution_notes
    assert ticket.resolution_notes == catalog.request_resolution_default(ticket)


def test_the_last_task_sets_the_resolution_text_the_requester_reads(
    employee, agent, service_desk_team
):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    first, second = ticket.tasks.all()
    complete(first, agent, notes="Imaged with build 7.3 from the staging share")
    second.refresh_from_db()
    catalog.task_complete(
        task=second,
        actor=agent,
        expected_version=second.version,
        notes="Left at reception, locker 12",
        resolution_notes="Your laptop is ready for pick-up at reception.",
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolution_notes == "Your laptop is ready for pick-up at reception."


def test_tasks_of_one_step_run_in_parallel(
    employee, agent, agent_other_team, service_desk_team, other_team
):
    item = laptop(
        service_desk_team,
        requires_manager_approval=False,
        tasks=[("Create account", service_desk_team, 1), ("Open firewall", other_team, 1)],
    )
    ticket = order(item, employee)
    account, firewall = ticket.tasks.all()
    assert {account.status, firewall.status} == {TaskStatus.OPEN}
    complete(firewall, agent_other_team)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    complete(account, agent)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_a_cancelled_task_lets_the_request_move_on(employee, agent, service_desk_team):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    first, second = ticket.tasks.all()
    catalog.task_cancel(
        task=first, actor=agent, expected_version=first.version, reason="Laptop already in stock"
    )
    second.refresh_from_db()
    assert second.status == TaskStatus.OPEN


def test_a_stale_task_version_is_refused(employee, agent, service_desk_team):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    task = ticket.tasks.first()
    catalog.task_assign(task=task, actor=agent, expected_version=task.version, assignee=agent)
    with pytest.raises(StaleVersion):
        catalog.task_complete(task=task, actor=agent, expected_version=task.version - 0 - 0)


def test_only_the_tasks_team_can_complete_it(employee, agent, agent_other_team, service_desk_team):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    task = ticket.tasks.first()
    with pytest.raises(PermissionRefused):
        complete(task, agent_other_team)
    with pytest.raises(PermissionRefused):
        complete(task, employee)


def test_a_task_goes_only_to_a_member_of_its_team(
    employee, agent, agent_other_team, service_desk_team
):
    ticket = order(laptop(service_desk_team, requires_manager_approval=False), employee)
    task = ticket.tasks.first()
    with pytest.raises(catalog.DomainError):
        catalog.task_assign(
            task=task, actor=agent, expected_version=task.version, assignee=agent_other_team
        )
    assigned = catalog.task_assign(
        task=task, actor=agent, expected_version=task.version, assignee=agent
    )
    assert assigned.assignee == agent
    assert assigned.version == task.version + 1
    assert FulfilmentTask.objects.get(pk=task.pk).assignee == agent


def test_a_withdrawn_request_can_no_longer_be_decided(employee, line_manager, service_desk_team):
    from tickets.services import ticket_transition

    ticket = order(laptop(service_desk_team), employee)
    ticket_transition(
        ticket=ticket,
        to_status=TicketStatus.CANCELLED,
        actor=employee,
        expected_version=None,
        reason="Found a spare one",
    )
    with pytest.raises(TransitionNotAllowed, match="withdrawn"):
        catalog.approval_approve(approval=approval_of(ticket, line_manager), actor=line_manager)
