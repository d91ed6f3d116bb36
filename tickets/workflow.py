"""The ticket life cycle as a table: which moves exist, who may make them, what they need.

Pure: no ORM writes; the walk is `itsm.core.workflow`'s. `tickets.services.ticket_transition`
is the only caller that applies a move; pages and the API ask `allowed_transitions` for their
buttons. Actors: the service desk (STAFF, which includes the system itself) or the ticket's
requester (REQUESTER), who may only cancel, reopen or accept the solution (close).
"""

from collections.abc import Mapping
from typing import Any

from itsm.core.workflow import Lifecycle, May, Messages, Transition
from tickets.choices import ApprovalState, TicketKind, TicketStatus

S = TicketStatus
STAFF = "staff"
REQUESTER = "requester"


def _approved_if_request(ticket: Any, _fields: Mapping[str, Any]) -> str | None:
    if ticket.kind == TicketKind.REQUEST and ticket.approval_state in (
        ApprovalState.PENDING,
        ApprovalState.REJECTED,
    ):
        return "This request cannot be worked until it is approved."
    return None


def _no_open_tasks(_ticket: Any, fields: Mapping[str, Any]) -> str | None:
    if fields.get("open_task_count", 0):
        return "Finish or cancel the open fulfilment tasks before resolving the request."
    return None


def _desk(name: str, label: str, **options: Any) -> Transition:
    return Transition(name, label, who=(STAFF,), **options)


def _desk_or_requester(name: str, label: str, **options: Any) -> Transition:
    return Transition(name, label, who=(STAFF, REQUESTER), **options)


_RESOLVE = ("resolution_code", "resolution_notes")
_CANCEL = _desk_or_requester("cancel", "Cancel", requires=("reason",))

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.NEW, S.IN_PROGRESS): _desk("start", "Start work", guards=(_approved_if_request,)),
    (S.NEW, S.ON_HOLD): _desk("hold", "Put on hold", requires=("on_hold_reason",)),
    (S.NEW, S.RESOLVED): _desk(
        "resolve", "Resolve", requires=_RESOLVE, guards=(_approved_if_request, _no_open_tasks)
    ),
    (S.NEW, S.CANCELLED): _CANCEL,
    (S.IN_PROGRESS, S.ON_HOLD): _desk("hold", "Put on hold", requires=("on_hold_reason",)),
    (S.IN_PROGRESS, S.RESOLVED): _desk(
        "resolve", "Resolve", requires=_RESOLVE, guards=(_no_open_tasks,)
    ),
    (S.IN_PROGRESS, S.CANCELLED): _CANCEL,
    (S.ON_HOLD, S.IN_PROGRESS): _desk("resume", "Resume work"),
    (S.ON_HOLD, S.RESOLVED): _desk(
        "resolve", "Resolve", requires=_RESOLVE, guards=(_approved_if_request, _no_open_tasks)
    ),
    (S.ON_HOLD, S.CANCELLED): _CANCEL,
    (S.RESOLVED, S.IN_PROGRESS): _desk_or_requester("reopen", "Reopen", backward=True),
    # The requester closes it by accepting the solution (the portal's "Accept the solution").
    (S.RESOLVED, S.CLOSED): _desk_or_requester("close", "Close"),
}

LIFECYCLE = Lifecycle(
    noun="ticket",
    statuses=TicketStatus,
    transitions=TRANSITIONS,
    field_labels={
        "on_hold_reason": "an on-hold reason",
        "resolution_code": "a resolution code",
        "resolution_notes": "resolution notes",
        "reason": "a reason",
    },
    messages=Messages(actor="Only the service desk can make this change."),
)
transition_for = LIFECYCLE.transition_for


def _may(*, is_staff: bool) -> May:
    return {STAFF if is_staff else REQUESTER}.__contains__


def refusal(
    ticket: Any, to_status: str, *, is_staff: bool, fields: Mapping[str, Any]
) -> str | None:
    """Why `ticket` may not move to `to_status` with `fields`, or None when it may."""
    return LIFECYCLE.refusal(ticket, to_status, may=_may(is_staff=is_staff), context=fields)


def allowed_transitions(ticket: Any, *, is_staff: bool) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs offered from the ticket's current status."""
    return LIFECYCLE.allowed(ticket, may=_may(is_staff=is_staff))
