"""Service catalog writes: ordering a catalog item, deciding approvals, working fulfilment tasks.

DESIGN §4 "Service request": a request moves to fulfilment only when approved, resolves when
all its fulfilment tasks are done, and a rejection closes it with the reason shown to the
requester. Status moves always go through `tickets.services.ticket_transition` (the one code
path that changes `status`); this module owns `approval_state`, approvals and tasks.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import Role, user_has_role
from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import DomainError, PermissionRefused, TransitionNotAllowed
from itsm.core.locking import lock_for_update
from itsm.core.permissions import require_permission
from tickets import permissions as may
from tickets.catalog.forms import order_form_class, render_answers
from tickets.choices import (
    ApprovalMode,
    ApprovalState,
    Channel,
    ResolutionCode,
    TaskStatus,
    TicketKind,
    TicketStatus,
)
from tickets.models import Approval, CatalogItem, FulfilmentTask, Ticket
from tickets.services import ticket_create, ticket_transition

ACTIVE_TASK_STATUSES = (TaskStatus.WAITING, TaskStatus.OPEN)


class CatalogFormInvalid(DomainError):
    """The order form's answers do not validate; `errors` maps field name → messages."""

    code = "invalid_form_data"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, first_messages = next(iter(errors.items()))
        super().__init__(first_messages[0], field=first_field)
        self.errors = errors


class CatalogItemUnavailable(DomainError):
    code = "catalog_item_unavailable"


class NoApproverAvailable(DomainError):
    code = "no_approver"


# --- Helpers ---


def _notify(
    *, event: str, recipients: Iterable[User], record: Any, title: str, message: str, url: str
) -> None:
    # Imported lazily: the notifications app is a platform app and imports nothing of ours.
    from itsm.notifications.services import notification_create

    people = [person for person in dict.fromkeys(recipients) if person.is_active]
    if people:
        notification_create(
            event=event,
            recipients=people,
            record=record,
            context={"title": title, "message": message, "url": url},
        )


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _request_url(ticket: Ticket) -> str:
    return _site(reverse("catalog:portal-request-detail", args=[ticket.number]))


def _lock_ticket(ticket: Ticket) -> Ticket:
    return lock_for_update(Ticket.objects.all(), pk=ticket.pk, expected_version=None)


def _set_approval_state(
    ticket: Ticket, *, state: str, actor: User | None, message: str = ""
) -> None:
    """Write `approval_state` on a ticket the caller has locked; bumps the version, audits."""
    before = {"approval_state": ticket.approval_state}
    ticket.approval_state = state
    changes = field_changes(before, {"approval_state": state})
    ticket.version += 1
    changes["version"] = {"from": ticket.version - 1, "to": ticket.version}
    ticket.save(update_fields=["approval_state", "version", "updated_at"])
    audit_record(
        record=ticket,
        actor=actor,
        action="approval_state_changed",
        changes=changes,
        message=message,
    )


def _approvers_for(item: CatalogItem, requester: User) -> list[User]:
    approvers: list[User] = []
    if item.requires_manager_approval and requester.manager_id:
        manager = requester.manager
        if manager is not None and manager.is_active:
            approvers.append(manager)
    if item.approval_team is not None:
        approvers.extend(item.approval_team.members.filter(is_active=True).order_by("id"))
    # Nobody approves their own order.
    return [person for person in dict.fromkeys(approvers) if person.pk != requester.pk]


# --- Ordering ---


def validate_order(*, item: CatalogItem, form_data: dict[str, Any]) -> dict[str, Any]:
    """Validate answers against the item's fields; returns the cleaned, JSON-ready answers."""
    if not isinstance(form_data, dict):
        raise CatalogFormInvalid({"form_data": ["Send the answers as an object."]})
    definitions = list(item.fields.all())
    known = {definition.name for definition in definitions}
    unknown = sorted(set(form_data) - known)
    form = order_form_class(definitions)(data=form_data)
    errors = (
        {}
        if form.is_valid()
        else {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    )
    for name in unknown:
        errors[name] = [f"“{item.name}” has no field called {name}."]
    if errors:
        raise CatalogFormInvalid(errors)
    return form.answers()


@transaction.atomic
def request_order(
    *,
    item: CatalogItem,
    requester: User,
    actor: User,
    form_data: dict[str, Any],
    channel: str = Channel.PORTAL,
) -> Ticket:
    """Order a catalog item: validate the answers, raise the REQ, ask for approvals.

    Writes the request (through ticket_create: number, `created` event, acknowledgement),
    one Approval per approver and an `approval_state_changed` event, and notifies the
    approvers. Without approvers the request goes straight to fulfilment.
    """
    if not item.is_active:
        raise CatalogItemUnavailable(f"“{item.name}” can no longer be ordered.")
    answers = validate_order(item=item, form_data=form_data)
    needs_approval = item.requires_manager_approval or item.approval_team_id is not None
    approvers = _approvers_for(item, requester) if needs_approval else []
    if needs_approval and not approvers:
        raise NoApproverAvailable(
            f"“{item.name}” needs approval, but there is nobody to approve it for you (no manager "
            "is recorded). Please contact the service desk."
        )
    definitions = list(item.fields.all())
    ticket = ticket_create(
        actor=actor,
        requester=requester,
        short_description=item.name,
        description=render_answers(definitions, answers),
        kind=TicketKind.REQUEST,
        channel=channel,
        service=item.service,
        assignment_team=item.fulfilment_team,
        catalog_item=item,
        form_data=answers,
    )
    if not approvers:
        return _start_fulfilment(ticket=_lock_ticket(ticket), actor=actor)
    ticket = _lock_ticket(ticket)
    for approver in approvers:
        Approval.objects.create(ticket=ticket, approver=approver)
    _set_approval_state(
        ticket,
        state=ApprovalState.PENDING,
        actor=actor,
        message=f"Approval requested from {', '.join(map(str, approvers))}.",
    )
    _notify(
        event="approval_requested",
        recipients=approvers,
        record=ticket,
        title=f"Approval requested: {ticket.number} {item.name} for {requester}",
        message=f"{requester} ordered “{item.name}”.\n\n{ticket.description}",
        url=_site(reverse("catalog:desk-approval-list")),
    )
    return ticket


# --- Approvals ---


def _check_approver(approval: Approval, actor: User) -> None:
    """Deciding is the named approver's act alone (no role decides for another person), and
    the approver must still hold the permission to decide (an account without a role, or a
    deactivated one, decides nothing)."""
    if approval.approver_id != getattr(actor, "pk", None):
        raise PermissionRefused("Only the person asked to approve can decide.")
    require_permission(
        actor, may.DECIDE_APPROVAL, refusal="Your account may not decide approvals any more."
    )


def _lock_approval(approval: Approval, actor: User) -> tuple[Ticket, Approval]:
    # Lock the request first: two approvers deciding at once are serialised on the ticket,
    # so the "last approval in ALL mode" is counted exactly once.
    ticket = _lock_ticket(approval.ticket)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    _check_approver(approval, actor)
    if approval.state != ApprovalState.PENDING or ticket.approval_state != ApprovalState.PENDING:
        raise TransitionNotAllowed("This approval has already been decided.")
    if not ticket.is_open:
        raise TransitionNotAllowed(f"{ticket.number} was withdrawn or closed; nothing to decide.")
    return ticket, approval


def _decide(approval: Approval, *, state: str, actor: User, comment: str) -> None:
    approval.state = state
    approval.comment = comment
    approval.decided_at = timezone.now()
    approval.save(update_fields=["state", "comment", "decided_at"])
    verb = "approved" if state == ApprovalState.APPROVED else "rejected"
    audit_record(
        record=approval.ticket,
        actor=actor,
        action=f"approval_{verb}",
        changes={"approval": {"from": ApprovalState.PENDING, "to": state}},
        message=comment,
    )


def _retire_pending(ticket: Ticket) -> None:
    """Once the outcome is known the remaining approvers no longer need to decide."""
    ticket.approvals.filter(state=ApprovalState.PENDING).update(
        state=ApprovalState.NOT_REQUIRED, decided_at=timezone.now()
    )


@transaction.atomic
def approval_approve(*, approval: Approval, actor: User, comment: str = "") -> Approval:
    """Approve one's share of a request. ANY mode: the first approval approves the request;
    ALL mode: the last one does. An approved request starts fulfilment at once."""
    ticket, approval = _lock_approval(approval, actor)
    _decide(approval, state=ApprovalState.APPROVED, actor=actor, comment=comment.strip())
    item = ticket.catalog_item
    mode = item.approval_mode if item is not None else ApprovalMode.ALL
    still_pending = ticket.approvals.filter(state=ApprovalState.PENDING).exists()
    if mode == ApprovalMode.ANY or not still_pending:
        _retire_pending(ticket)
        _set_approval_state(
            ticket, state=ApprovalState.APPROVED, actor=actor, message=comment.strip()
        )
        _notify(
            event="request_approved",
            recipients=[ticket.requester],
            record=ticket,
            title=f"{ticket.number} {ticket.short_description} was approved",
            message="Your request was approved; the fulfilment teams are now working on it.",
            url=_request_url(ticket),
        )
        _start_fulfilment(ticket=ticket, actor=actor)
    approval.refresh_from_db()
    return approval


@transaction.atomic
def approval_reject(*, approval: Approval, actor: User, comment: str) -> Approval:
    """Reject one's share of a request, with a reason the requester will read.

    ALL mode: one rejection rejects the request; ANY mode: only when everyone rejected. A
    rejected request is cancelled (ticket_transition, with the reason) and the requester
    is told why.
    """
    if not comment.strip():
        raise DomainError(
            "Say why you reject the request; the requester will read it.", field="comment"
        )
    ticket, approval = _lock_approval(approval, actor)
    _decide(approval, state=ApprovalState.REJECTED, actor=actor, comment=comment.strip())
    item = ticket.catalog_item
    mode = item.approval_mode if item is not None else ApprovalMode.ALL
    anyone_left = ticket.approvals.filter(
        state__in=[ApprovalState.PENDING, ApprovalState.APPROVED]
    ).exists()
    if mode == ApprovalMode.ALL or not anyone_left:
        _retire_pending(ticket)
        reason = f"Rejected by {actor}: {comment.strip()}"
        _set_approval_state(ticket, state=ApprovalState.REJECTED, actor=actor, message=reason)
        # The cancellation is the system's consequence of the decision (actor=None): the
        # approver, often a line manager without a desk role, is recorded on the approval.
        ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.CANCELLED,
            actor=None,
            expected_version=None,
            reason=reason,
        )
        _notify(
            event="request_rejected",
            recipients=[ticket.requester],
            record=ticket,
            title=f"{ticket.number} {ticket.short_description} was not approved",
            message=f"{actor} rejected your request:\n\n{comment.strip()}",
            url=_request_url(ticket),
        )
    approval.refresh_from_db()
    return approval


# --- Fulfilment ---


def _start_fulfilment(*, ticket: Ticket, actor: User) -> Ticket:
    """Create the tasks from the item's templates (first step open) and start work."""
    item = ticket.catalog_item
    templates = list(item.task_templates.select_related("team")) if item is not None else []
    first_step = min((template.step for template in templates), default=None)
    opened = []
    for template in templates:
        task = FulfilmentTask(
            ticket=ticket,
            title=template.title,
            team=template.team,
            step=template.step,
            status=TaskStatus.OPEN if template.step == first_step else TaskStatus.WAITING,
        )
        task.number = FulfilmentTask.next_number()
        task.save()
        audit_record(
            record=task,
            actor=actor,
            action="created",
            changes={"status": {"from": None, "to": task.status}},
        )
        if task.status == TaskStatus.OPEN:
            opened.append(task)
    _notify_tasks_opened(opened)
    if ticket.status == TicketStatus.NEW:
        # A system move: whoever approved (or ordered) need not be desk staff.
        ticket = ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.IN_PROGRESS,
            actor=None,
            expected_version=None,
            reason="Approved: fulfilment started.",
        )
    return ticket


def _notify_tasks_opened(tasks: list[FulfilmentTask]) -> None:
    for task in tasks:
        recipients = (
            [task.assignee] if task.assignee else list(task.team.members.filter(is_active=True))
        )
        _notify(
            event="task_opened",
            recipients=recipients,
            record=task,
            title=f"{task.number} {task.title} ({task.ticket.number})",
            message=f"A fulfilment task for {task.team} is ready: {task.title}.\n\n"
            f"{task.ticket.description}",
            url=_site(reverse("catalog:desk-task-list")),
        )


def _check_task_actor(task: FulfilmentTask, actor: User) -> None:
    require_permission(
        actor, may.WORK_TASK, refusal="Only the service desk can work fulfilment tasks."
    )
    if task.assignee_id == actor.pk or user_has_role(actor, Role.SERVICE_DESK_MANAGER):
        return
    if not task.team.members.filter(pk=actor.pk).exists():
        raise PermissionRefused(f"{task.number} belongs to {task.team}, a team you are not in.")


def _lock_task(task: FulfilmentTask, actor: User, expected_version: int | None) -> FulfilmentTask:
    task = lock_for_update(
        FulfilmentTask.objects.select_related("team", "ticket"),
        pk=task.pk,
        expected_version=expected_version,
    )
    _check_task_actor(task, actor)
    return task


def _save_task(
    task: FulfilmentTask, *, actor: User, action: str, before: dict[str, Any], message: str = ""
) -> None:
    changes = field_changes(before, {name: getattr(task, name) for name in before})
    task.version += 1
    changes["version"] = {"from": task.version - 1, "to": task.version}
    task.save()
    audit_record(record=task, actor=actor, action=action, changes=changes, message=message)


def request_resolution_default(ticket: Ticket) -> str:
    """The requester's resolution text a fulfilled request starts from (the agent edits it
    on the last task). Task notes are the teams' internal notes and never appear in it."""
    return f"Your request “{ticket.short_description}” is fulfilled."


def _advance(ticket: Ticket, *, actor: User, resolution_notes: str = "") -> None:
    """After a task ends: open the next step when this one is finished, or resolve with
    `resolution_notes` (the requester's wording) or the default text."""
    tasks = list(
        ticket.tasks.select_for_update(of=("self",)).select_related("team", "assignee", "ticket")
    )
    if any(task.status == TaskStatus.OPEN for task in tasks):
        return
    waiting = [task for task in tasks if task.status == TaskStatus.WAITING]
    if waiting:
        next_step = min(task.step for task in waiting)
        opened = []
        for task in waiting:
            if task.step == next_step:
                before = {"status": task.status}
                task.status = TaskStatus.OPEN
                _save_task(task, actor=actor, action="status_changed", before=before)
                opened.append(task)
        _notify_tasks_opened(opened)
        return
    ticket = _lock_ticket(ticket)
    if ticket.is_open:
        notes = resolution_notes.strip() or request_resolution_default(ticket)
        # Resolved by the system once the work is done; the task events name who did it.
        ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.RESOLVED,
            actor=None,
            expected_version=None,
            resolution_code=ResolutionCode.FULFILLED,
            resolution_notes=notes,
        )


def _check_request_open(task: FulfilmentTask) -> None:
    if task.ticket.status in (TicketStatus.CANCELLED, TicketStatus.CLOSED):
        raise TransitionNotAllowed(f"{task.ticket.number} is closed; its tasks cannot change.")
    if task.status not in ACTIVE_TASK_STATUSES:
        raise TransitionNotAllowed(f"{task.number} is already {task.get_status_display().lower()}.")


@transaction.atomic
def task_complete(
    *,
    task: FulfilmentTask,
    actor: User,
    expected_version: int | None,
    notes: str = "",
    resolution_notes: str = "",
) -> FulfilmentTask:
    """Mark an open task done (team members, its assignee, or the desk manager).

    When it was the last open task of its step, the next step's tasks open; when no task
    is left open or waiting, the request resolves as fulfilled with `resolution_notes`, the
    text the requester reads (default: `request_resolution_default`). `notes` stay on the
    task, internal.
    """
    task = _lock_task(task, actor, expected_version)
    _check_request_open(task)
    if task.status != TaskStatus.OPEN:
        raise TransitionNotAllowed(f"{task.number} waits for earlier tasks to finish first.")
    before = {"status": task.status, "notes": task.notes}
    task.status = TaskStatus.DONE
    task.notes = notes.strip() or task.notes
    task.completed_at = timezone.now()
    if task.assignee_id is None:
        task.assignee = actor
    _save_task(task, actor=actor, action="status_changed", before=before, message=notes.strip())
    _advance(task.ticket, actor=actor, resolution_notes=resolution_notes)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_cancel(
    *, task: FulfilmentTask, actor: User, expected_version: int | None, reason: str
) -> FulfilmentTask:
    """Cancel a task that is no longer needed; the request moves on as if it were done."""
    if not reason.strip():
        raise DomainError("Say why the task is no longer needed.", field="reason")
    task = _lock_task(task, actor, expected_version)
    _check_request_open(task)
    before = {"status": task.status}
    task.status = TaskStatus.CANCELLED
    task.notes = reason.strip()
    _save_task(task, actor=actor, action="status_changed", before=before, message=reason.strip())
    _advance(task.ticket, actor=actor)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_assign(
    *, task: FulfilmentTask, actor: User, expected_version: int | None, assignee: User | None
) -> FulfilmentTask:
    """Give a task to a member of its team (or back to the team with None)."""
    task = _lock_task(task, actor, expected_version)
    _check_request_open(task)
    if assignee is not None and not task.team.members.filter(pk=assignee.pk).exists():
        raise DomainError(f"{assignee} is not a member of {task.team}.", field="assignee")
    before = {"assignee": task.assignee}
    task.assignee = assignee
    _save_task(task, actor=actor, action="assigned", before=before)
    if assignee is not None and assignee.pk != actor.pk and task.status == TaskStatus.OPEN:
        _notify_tasks_opened([task])
    return task
