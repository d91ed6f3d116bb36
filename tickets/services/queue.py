"""The desk queue's own writes: bulk actions on a selection and saved filters."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.accounts.models import Team, User
from itsm.audit.selectors import audit_list_since_version
from itsm.core.exceptions import DomainError, StaleVersion
from itsm.core.permissions import require_permission
from tickets import permissions as may
from tickets.choices import (
    BulkAction,
    Impact,
    OnHoldReason,
    Priority,
    ResolutionCode,
    TicketStatus,
    Urgency,
)
from tickets.exceptions import InvalidTicketInput
from tickets.models import (
    Macro,
    SavedFilter,
    Ticket,
)
from tickets.selectors import ticket_list_by_number
from tickets.services.lifecycle import (
    comment_add,
    priority_for,
    ticket_assign,
    ticket_set_priority,
    ticket_transition,
    ticket_update,
)
from tickets.services.relations import ticket_mark_duplicate

# --- Bulk actions (desk) ---

# A selection is at most a few queue pages; each ticket is its own transaction, so a larger
# one would hold the request for minutes.
BULK_MAX_TICKETS = 200


@dataclass(frozen=True)
class BulkTarget:
    """One selected ticket: its number and the version the agent saw in the queue (None when
    the caller did not send one: that ticket is refused, never written unchecked)."""

    number: str
    version: int | None


@dataclass(frozen=True)
class BulkLine:
    """What happened to one ticket of a bulk action, in words for the agent."""

    number: str
    done: bool
    message: str
    code: str = ""
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.number}: {'done' if self.done else 'refused'} — {self.message}"


@dataclass(frozen=True)
class BulkParams:
    """What the action needs; which fields count depends on the action (checked once, before
    any ticket is touched, by `_check_params`)."""

    team: Team | None = None
    assignee: User | None = None
    to_status: str = ""
    on_hold_reason: str = ""
    resolution_code: str = ""
    resolution_notes: str = ""
    reason: str = ""
    impact: int | None = None
    urgency: int | None = None
    priority: int | None = None
    body: str = ""
    target: str = ""
    macro: Macro | None = None


def tickets_bulk_apply(
    *, actor: User, action: str, selection: Sequence[BulkTarget], params: BulkParams
) -> list[BulkLine]:
    """Do one action to each selected ticket and say, ticket by ticket, what happened.

    Input that is wrong for every ticket (no team, resolve without code or notes, an empty
    reply, an unknown merge target) raises InvalidTicketInput before anything is written. Then
    each ticket goes through the same service its own page uses, in its own transaction, with
    the version the agent saw: a ticket changed since the queue was drawn is refused (naming
    who changed it), one the life cycle or a guard refuses keeps its reason, and the others
    go through. Audit events, SLA clocks and notifications are those services' own.
    """
    require_permission(
        actor, may.CHANGE, refusal="Only the service desk can work several tickets at once."
    )
    if action not in BulkAction.values:
        raise InvalidTicketInput(f"“{action}” is not a bulk action.", field="action")
    selection = _distinct(selection)
    if not selection:
        raise InvalidTicketInput("Select at least one ticket.", field="tickets")
    if len(selection) > BULK_MAX_TICKETS:
        raise InvalidTicketInput(
            f"Select at most {BULK_MAX_TICKETS} tickets at once.", field="tickets"
        )
    _check_params(action, params)
    numbers = [item.number for item in selection]
    # One read for the whole selection; a number the agent cannot see is reported like a
    # missing one (numbers leak nothing).
    found = {t.number: t for t in ticket_list_by_number(user=actor, numbers=numbers)}
    target = None
    if action == BulkAction.MERGE:
        target = _merge_target(actor, params.target, found)
    act = _ACTS[action]
    lines = []
    for item in selection:
        ticket = found.get(item.number)
        if ticket is None:
            lines.append(_refused(item.number, "there is no such ticket.", code="not_found"))
        elif target is not None and ticket.pk == target.pk:
            continue
        elif item.version is None:
            lines.append(
                _refused(
                    item.number,
                    "the version you saw was not sent; reload the queue and try again.",
                    code="version_required",
                )
            )
        else:
            lines.append(_apply_one(act, ticket, item.version, actor, params, target))
    if target is not None:
        merged = sum(1 for line in lines if line.done)
        lines.insert(
            0,
            BulkLine(
                target.number,
                done=True,
                message=f"kept open; {merged} ticket{'s' if merged != 1 else ''} merged into it.",
                version=target.version,
            ),
        )
    return lines


def _distinct(selection: Sequence[BulkTarget]) -> list[BulkTarget]:
    seen: dict[str, BulkTarget] = {}
    for item in selection:
        number = item.number.strip().upper()
        if number:
            seen.setdefault(number, BulkTarget(number, item.version))
    return list(seen.values())


def _check_params(action: str, p: BulkParams) -> None:
    if action == BulkAction.ASSIGN and p.team is None and p.assignee is None:
        raise InvalidTicketInput("Choose a team, an agent, or both.", field="team")
    if (
        action == BulkAction.ASSIGN
        and p.team is not None
        and p.assignee is not None
        and not p.team.members.filter(pk=p.assignee.pk).exists()
    ):
        raise InvalidTicketInput(f"{p.assignee} is not a member of {p.team}.", field="assignee")
    if action == BulkAction.STATUS:
        _check_status_params(p)
    if action == BulkAction.PRIORITY:
        _check_priority_params(p)
    if action in (BulkAction.REPLY, BulkAction.NOTE):
        if not p.body.strip():
            raise InvalidTicketInput("Write the message to add to each ticket.", field="body")
        if len(p.body.strip()) > settings.ITSM_COMMENT_MAX_CHARS:
            raise InvalidTicketInput(
                f"Keep the message under {settings.ITSM_COMMENT_MAX_CHARS} characters.",
                field="body",
            )
    if action == BulkAction.MACRO and p.macro is None:
        raise InvalidTicketInput("Choose the macro to apply.", field="macro")
    if action == BulkAction.MACRO and p.macro is not None and not p.macro.is_active:
        raise InvalidTicketInput(f"The macro “{p.macro}” is switched off.", field="macro")
    if action == BulkAction.MERGE and not p.target.strip():
        raise InvalidTicketInput("Choose the ticket to merge the others into.", field="target")


def _check_status_params(p: BulkParams) -> None:
    if p.to_status not in TicketStatus.values:
        raise InvalidTicketInput("Choose the new status.", field="to_status")
    if p.to_status == TicketStatus.ON_HOLD and p.on_hold_reason not in OnHoldReason.values:
        raise InvalidTicketInput("Say why the tickets are on hold.", field="on_hold_reason")
    if p.to_status == TicketStatus.RESOLVED:
        # Asked once for the whole selection, not refused ticket by ticket.
        if p.resolution_code not in ResolutionCode.values:
            raise InvalidTicketInput("Choose a resolution code.", field="resolution_code")
        if not p.resolution_notes.strip():
            raise InvalidTicketInput(
                "Write the resolution notes the requesters will read.", field="resolution_notes"
            )
    if p.to_status == TicketStatus.CANCELLED and not p.reason.strip():
        raise InvalidTicketInput("Say why the tickets are cancelled.", field="reason")


def _check_priority_params(p: BulkParams) -> None:
    if p.priority is not None and (p.impact is not None or p.urgency is not None):
        raise InvalidTicketInput(
            "Either set impact and urgency, or override the priority, not both.",
            field="priority",
        )
    if p.priority is not None:
        if p.priority not in Priority.values:
            raise InvalidTicketInput("Choose a priority from P1 to P5.", field="priority")
        if not p.reason.strip():
            raise InvalidTicketInput(
                "Say why the priority differs from the matrix.", field="reason"
            )
        return
    if p.impact not in Impact.values or p.urgency not in Urgency.values:
        raise InvalidTicketInput(
            "Choose impact and urgency, or a priority with the reason for overriding.",
            field="impact",
        )


def _merge_target(actor: User, number: str, found: dict[str, Ticket]) -> Ticket:
    number = number.strip().upper()
    target = found.get(number) or Ticket.objects.visible_to(actor).filter(number=number).first()
    if target is None:
        raise InvalidTicketInput(f"There is no ticket {number} to merge into.", field="target")
    if not target.is_open or target.duplicate_of_id is not None:
        raise InvalidTicketInput(
            f"{target.number} is {target.get_status_display().lower()}; merge into an open ticket.",
            field="target",
        )
    return target


type _Act = Callable[[Ticket, int | None, User, BulkParams, Ticket | None], str]


def _apply_one(
    act: _Act,
    ticket: Ticket,
    version: int | None,
    actor: User,
    params: BulkParams,
    target: Ticket | None,
) -> BulkLine:
    try:
        # Its own transaction: a refusal rolls back this ticket only.
        with transaction.atomic():
            message = act(ticket, version, actor, params, target)
    except StaleVersion as exc:
        return _refused(
            ticket.number, _stale_message(exc), code=exc.code, version=exc.current_version
        )
    except DomainError as exc:
        return _refused(ticket.number, exc.message, code=exc.code)
    except ValidationError as exc:
        return _refused(ticket.number, " ".join(exc.messages), code="invalid")
    current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
    return BulkLine(ticket.number, done=True, message=message, version=current)


def _refused(number: str, message: str, *, code: str, version: int | None = None) -> BulkLine:
    return BulkLine(number, done=False, message=message, code=code, version=version)


def _stale_message(exc: StaleVersion) -> str:
    """ "changed by Bob Agent since you loaded the queue": who moved it past the version the
    agent saw, from the audit events that recorded each version step."""
    names: list[str] = []
    if exc.record is not None and exc.expected_version is not None:
        for event in audit_list_since_version(record=exc.record, version=exc.expected_version):
            name = str(event.actor) if event.actor_id else "the system"
            if name not in names:
                names.append(name)
    who = ", ".join(names) or "someone else"
    return f"changed by {who} since you loaded the queue; reload it and try again."


def _assign(
    ticket: Ticket, version: int | None, actor: User, p: BulkParams, _t: Ticket | None
) -> str:
    team = p.team if p.team is not None else ticket.assignment_team
    before = ticket.version
    done = ticket_assign(
        ticket=ticket, actor=actor, expected_version=version, team=team, assignee=p.assignee
    )
    where = f"{team} / {p.assignee}" if p.assignee else str(team)
    if done.version == before:
        return f"already assigned to {where}."
    return f"assigned to {where}."


def _status(
    ticket: Ticket, version: int | None, actor: User, p: BulkParams, _t: Ticket | None
) -> str:
    done = ticket_transition(
        ticket=ticket,
        to_status=p.to_status,
        actor=actor,
        expected_version=version,
        on_hold_reason=p.on_hold_reason,
        resolution_code=p.resolution_code,
        resolution_notes=p.resolution_notes,
        reason=p.reason,
    )
    return f"now {done.get_status_display().lower()}."


def _priority(
    ticket: Ticket, version: int | None, actor: User, p: BulkParams, _t: Ticket | None
) -> str:
    if p.priority is not None:
        done = ticket_set_priority(
            ticket=ticket,
            actor=actor,
            expected_version=version,
            priority=p.priority,
            reason=p.reason,
        )
        return f"priority P{done.priority} (overridden: {done.priority_override_reason})."
    done = ticket_update(
        ticket=ticket, actor=actor, expected_version=version, impact=p.impact, urgency=p.urgency
    )
    if done.priority_override_reason and done.priority != priority_for(
        impact=done.impact, urgency=done.urgency
    ):
        return (
            f"impact {done.impact} × urgency {done.urgency}; priority stays P{done.priority} "
            f"(overridden: {done.priority_override_reason})."
        )
    return f"impact {done.impact} × urgency {done.urgency} → P{done.priority}."


def _reply(
    ticket: Ticket, version: int | None, actor: User, p: BulkParams, _t: Ticket | None
) -> str:
    comment_add(ticket=ticket, author=actor, body=p.body, is_public=True, expected_version=version)
    return "reply sent to the requester."


def _note(
    ticket: Ticket, version: int | None, actor: User, p: BulkParams, _t: Ticket | None
) -> str:
    comment_add(ticket=ticket, author=actor, body=p.body, is_public=False, expected_version=version)
    return "work note added."


def _merge(
    ticket: Ticket, version: int | None, actor: User, _p: BulkParams, target: Ticket | None
) -> str:
    assert target is not None  # _merge_target found it before any ticket was touched
    ticket_mark_duplicate(ticket=ticket, duplicate_of=target, actor=actor, expected_version=version)
    return f"duplicate of {target.number}, resolved."


def _macro(
    ticket: Ticket, version: int | None, actor: User, p: BulkParams, _t: Ticket | None
) -> str:
    from tickets.services.macros import macro_apply

    assert p.macro is not None  # _check_params refused a macro action without one
    return macro_apply(macro=p.macro, ticket=ticket, actor=actor, expected_version=version)


_ACTS: dict[str, _Act] = {
    BulkAction.ASSIGN: _assign,
    BulkAction.STATUS: _status,
    BulkAction.PRIORITY: _priority,
    BulkAction.REPLY: _reply,
    BulkAction.NOTE: _note,
    BulkAction.MERGE: _merge,
    BulkAction.MACRO: _macro,
}


# --- Saved queues ---


def saved_filter_save(*, owner: User, name: str, query: str) -> SavedFilter:
    """Save (or overwrite, by name) an agent's queue filter: the queue page's query string."""
    require_permission(owner, may.VIEW, refusal="Only the service desk keeps queue filters.")
    saved, _ = SavedFilter.objects.update_or_create(
        owner=owner, name=name.strip()[:80], defaults={"query": query[:1000]}
    )
    return saved
