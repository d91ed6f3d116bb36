"""The ticket life cycle as a table: which moves exist, who may make them, what they need.

Pure: no ORM writes. `tickets.services.ticket_transition` is the only caller that applies a
move; pages and the API ask `allowed_transitions` for their buttons.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tickets.choices import ApprovalState, TicketKind, TicketStatus

S = TicketStatus
Guard = Callable[["object", dict], str | None]


def _approved_if_request(ticket, _fields: dict) -> str | None:
    if ticket.kind == TicketKind.REQUEST and ticket.approval_state in (
        ApprovalState.PENDING,
        ApprovalState.REJECTED,
    ):
        return "This request cannot be worked until it is approved."
    return None


def _no_open_tasks(ticket, fields: dict) -> str | None:
    if fields.get("open_task_count", 0):
        return "Finish or cancel the open fulfilment tasks before resolving the request."
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    requires: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()
    staff_only: bool = True
    extra: dict = field(default_factory=dict)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.NEW, S.IN_PROGRESS): Transition("start", "Start work", guards=(_approved_if_request,)),
    (S.NEW, S.ON_HOLD): Transition("hold", "Put on hold", requires=("on_hold_reason",)),
    (S.NEW, S.RESOLVED): Transition(
        "resolve",
        "Resolve",
        requires=("resolution_code", "resolution_notes"),
        guards=(_approved_if_request, _no_open_tasks),
    ),
    (S.NEW, S.CANCELLED): Transition("cancel", "Cancel", requires=("reason",), staff_only=False),
    (S.IN_PROGRESS, S.ON_HOLD): Transition("hold", "Put on hold", requires=("on_hold_reason",)),
    (S.IN_PROGRESS, S.RESOLVED): Transition(
        "resolve",
        "Resolve",
        requires=("resolution_code", "resolution_notes"),
        guards=(_no_open_tasks,),
    ),
    (S.IN_PROGRESS, S.CANCELLED): Transition(
        "cancel", "Cancel", requires=("reason",), staff_only=False
    ),
    (S.ON_HOLD, S.IN_PROGRESS): Transition("resume", "Resume work"),
    (S.ON_HOLD, S.RESOLVED): Transition(
        "resolve",
        "Resolve",
        requires=("resolution_code", "resolution_notes"),
        guards=(_approved_if_request, _no_open_tasks),
    ),
    (S.ON_HOLD, S.CANCELLED): Transition(
        "cancel", "Cancel", requires=("reason",), staff_only=False
    ),
    (S.RESOLVED, S.IN_PROGRESS): Transition("reopen", "Reopen", staff_only=False),
    (S.RESOLVED, S.CLOSED): Transition("close", "Close"),
}

FIELD_LABELS = {
    "on_hold_reason": "an on-hold reason",
    "resolution_code": "a resolution code",
    "resolution_notes": "resolution notes",
    "reason": "a reason",
}


def transition_for(from_status: str, to_status: str) -> Transition | None:
    return TRANSITIONS.get((from_status, to_status))


def refusal(ticket, to_status: str, *, is_staff: bool, fields: dict) -> str | None:
    """Why `ticket` may not move to `to_status` with `fields`, or None when it may."""
    if ticket.status == to_status:
        return f"The ticket is already {TicketStatus(to_status).label.lower()}."
    move = transition_for(ticket.status, to_status)
    if move is None:
        return (
            f"A ticket cannot go from {TicketStatus(ticket.status).label.lower()} to "
            f"{TicketStatus(to_status).label.lower()}."
        )
    if move.staff_only and not is_staff:
        return "Only the service desk can make this change."
    missing = [name for name in move.requires if not str(fields.get(name) or "").strip()]
    if missing:
        return "Please give " + " and ".join(FIELD_LABELS[name] for name in missing) + "."
    for guard in move.guards:
        if message := guard(ticket, fields):
            return message
    return None


def allowed_transitions(ticket, *, is_staff: bool) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs offered from the ticket's current status."""
    return [
        (to_status, move)
        for (from_status, to_status), move in TRANSITIONS.items()
        if from_status == ticket.status and (is_staff or not move.staff_only)
    ]
