"""The change life cycle as a table: which moves exist, what they need, which guards apply.

Pure: no ORM writes. `changes.services.change_transition` is the only caller that applies a
move. Guards get the change and a `context` dict the service fills in: the fields the actor
gave (reasons, review outcome) plus facts the service looked up (`now`, `blackouts`: names of
blackout windows the planned window falls into).

ITIL paths:
- normal: draft → assessment → cab → scheduled → implementing → review → closed;
- standard (from a pre-approved template): draft → scheduled, no CAB;
- emergency: straight to the emergency CAB, implemented from there without being scheduled,
  or implemented at once with a reason and reviewed by the emergency CAB afterwards (it cannot
  close until the emergency CAB has decided).
"""

from collections.abc import Callable
from dataclasses import dataclass

from changes.choices import CabDecision, ChangeRequestStatus, ChangeType

S = ChangeRequestStatus
Guard = Callable[[object, dict], str | None]

MANAGE = "manage"  # change manager / anyone with changes.change_changerequest
REQUESTER = "requester"  # the person who raised it may also submit or cancel their draft


# --- Guards ---


def _has_window(change, _context: dict) -> str | None:
    if change.planned_start is None or change.planned_end is None:
        return "Give the planned start and end first."
    return None


def _has_scope(change, context: dict) -> str | None:
    if not context.get("has_scope"):
        return "Choose at least one affected service or configuration item."
    return None


def _standard_only(change, _context: dict) -> str | None:
    if change.change_type != ChangeType.STANDARD:
        return "Only a standard change (from a pre-approved template) skips the CAB."
    return None


def _not_standard(change, _context: dict) -> str | None:
    if change.change_type == ChangeType.STANDARD:
        return "A standard change is pre-approved: schedule it instead."
    return None


def _emergency_only(change, _context: dict) -> str | None:
    if change.change_type != ChangeType.EMERGENCY:
        return "Only an emergency change takes this path."
    return None


def _risk_assessed(change, _context: dict) -> str | None:
    if not (change.risk_override_level or change.risk_assessed_level):
        return "Assess the risk before the CAB sees the change."
    return None


def _cab_approved_unless_standard(change, _context: dict) -> str | None:
    if change.change_type == ChangeType.STANDARD:
        return None
    if change.cab_decision != CabDecision.APPROVED:
        return "The change cannot be scheduled without an approved CAB decision."
    return None


def _cab_approved(change, _context: dict) -> str | None:
    if change.cab_decision != CabDecision.APPROVED:
        return "The emergency CAB has not approved this change yet."
    return None


def _blackout_needs_override(_change, context: dict) -> str | None:
    blackouts = context.get("blackouts") or []
    if blackouts and not str(context.get("blackout_override_reason") or "").strip():
        return (
            "The planned window falls into the blackout window "
            + ", ".join(f"“{name}”" for name in blackouts)
            + ". Give an override reason to schedule it anyway."
        )
    return None


def _inside_window_or_override(change, context: dict) -> str | None:
    now = context["now"]
    inside = (
        change.planned_start is not None
        and change.planned_end is not None
        and change.planned_start <= now < change.planned_end
    )
    if not inside and not str(context.get("window_override_reason") or "").strip():
        return (
            "It is outside the planned window. Give an override reason to start implementing now."
        )
    return None


def _emergency_decided(change, _context: dict) -> str | None:
    if change.change_type == ChangeType.EMERGENCY and change.cab_decision in (
        "",
        CabDecision.PENDING,
    ):
        return "The emergency CAB must review this change before it is closed."
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    requires: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()
    who: tuple[str, ...] = (MANAGE,)


_CANCEL = Transition("cancel", "Cancel", requires=("reason",), who=(MANAGE, REQUESTER))
_SCHEDULE_GUARDS = (_has_window, _cab_approved_unless_standard, _blackout_needs_override)

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.ASSESSMENT): Transition(
        "submit", "Submit for assessment", guards=(_has_window, _has_scope), who=(MANAGE, REQUESTER)
    ),
    (S.DRAFT, S.SCHEDULED): Transition(
        "schedule", "Schedule (standard change)", guards=(_standard_only, *_SCHEDULE_GUARDS)
    ),
    (S.DRAFT, S.CAB): Transition(
        "emergency_cab",
        "Send to the emergency CAB",
        guards=(_emergency_only, _has_window, _has_scope),
    ),
    (S.DRAFT, S.IMPLEMENTING): Transition(
        "implement_emergency",
        "Implement now (emergency, CAB reviews after)",
        requires=("reason",),
        guards=(_emergency_only, _has_scope, _inside_window_or_override),
    ),
    (S.DRAFT, S.CANCELLED): _CANCEL,
    (S.ASSESSMENT, S.CAB): Transition(
        "send_to_cab", "Send to CAB", guards=(_not_standard, _risk_assessed)
    ),
    (S.ASSESSMENT, S.SCHEDULED): Transition("schedule", "Schedule", guards=_SCHEDULE_GUARDS),
    (S.ASSESSMENT, S.IMPLEMENTING): Transition(
        "implement_emergency",
        "Implement now (emergency, CAB reviews after)",
        requires=("reason",),
        guards=(_emergency_only, _inside_window_or_override),
    ),
    (S.ASSESSMENT, S.CANCELLED): _CANCEL,
    (S.CAB, S.SCHEDULED): Transition("schedule", "Schedule", guards=_SCHEDULE_GUARDS),
    (S.CAB, S.IMPLEMENTING): Transition(
        "implement",
        "Implement (emergency)",
        guards=(_emergency_only, _cab_approved, _inside_window_or_override),
    ),
    (S.CAB, S.REJECTED): Transition("reject", "Reject", requires=("reason",)),
    (S.CAB, S.CANCELLED): _CANCEL,
    (S.SCHEDULED, S.IMPLEMENTING): Transition(
        "start", "Start implementing", guards=(_inside_window_or_override,)
    ),
    (S.SCHEDULED, S.CANCELLED): _CANCEL,
    (S.IMPLEMENTING, S.REVIEW): Transition(
        "complete", "Implementation finished", requires=("review_outcome",)
    ),
    (S.REVIEW, S.CLOSED): Transition(
        "close", "Close after review", requires=("review_notes",), guards=(_emergency_decided,)
    ),
}

FIELD_LABELS = {
    "reason": "a reason",
    "review_outcome": "the outcome of the implementation",
    "review_notes": "review notes",
}


def transition_for(from_status: str, to_status: str) -> Transition | None:
    return TRANSITIONS.get((from_status, to_status))


def _label(status: str) -> str:
    return S(status).label.lower()


def refusal(change, to_status: str, *, roles: set[str], context: dict) -> str | None:
    """Why `change` may not move to `to_status`, or None when it may.

    `roles`: MANAGE and/or REQUESTER, what the actor is for this change.
    """
    if change.status == to_status:
        return f"The change is already {_label(to_status)}."
    move = transition_for(change.status, to_status)
    if move is None:
        return f"A change cannot go from {_label(change.status)} to {_label(to_status)}."
    if not roles.intersection(move.who):
        return "Only the change manager can make this move."
    missing = [name for name in move.requires if not str(context.get(name) or "").strip()]
    if missing:
        return "Please give " + " and ".join(FIELD_LABELS[name] for name in missing) + "."
    for guard in move.guards:
        if message := guard(change, context):
            return message
    return None


def allowed_transitions(change, *, roles: set[str]) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs offered from the change's status to this actor."""
    return [
        (to_status, move)
        for (from_status, to_status), move in TRANSITIONS.items()
        if from_status == change.status and roles.intersection(move.who)
    ]


# --- CAB quorum ---


def quorum_outcome(
    *, rule: str, count: int | None, approved: int, rejected: int, total: int
) -> str:
    """The CAB decision from the votes so far: approved, rejected or still pending.

    all: every approver approves (one rejection rejects); majority: more than half approve
    (rejected once a majority can no longer be reached); count N: N approvals (rejected once
    fewer than N approvers are left who could approve). N is capped at the number of approvers.
    """
    if total <= 0:
        return CabDecision.PENDING
    if rule == "all":
        needed = total
    elif rule == "majority":
        needed = total // 2 + 1
    else:
        needed = max(1, min(count or 1, total))
    if approved >= needed:
        return CabDecision.APPROVED
    if total - rejected < needed:
        return CabDecision.REJECTED
    return CabDecision.PENDING
