"""The change life cycle as a table: which moves exist, what they need, which guards apply.

Pure: no ORM writes; the walk is `itsm.core.workflow`'s. `changes.services.change_transition`
is the only caller that applies a move. Guards get the change and a `context` dict the service
fills in: the fields the actor gave (reasons, review outcome) plus facts the service looked up
(`now`, `blackouts`: names of blackout windows the planned window falls into).

ITIL paths:
- normal: draft → assessment → cab → scheduled → implementing → review → closed;
- standard (from a pre-approved template): draft → scheduled, no CAB;
- emergency: straight to the emergency CAB, implemented from there without being scheduled,
  or implemented at once with a reason and reviewed by the emergency CAB afterwards (it cannot
  close until the emergency CAB has decided).

A change only ever sees its own type's path: the moves of another type's path are `only_if`
guarded by the change type, so they are neither offered on its page nor allowed.
"""

from collections.abc import Mapping
from typing import Any

from changes.choices import CabDecision, ChangeRequestStatus, ChangeType
from itsm.core.workflow import Lifecycle, Messages, Transition

S = ChangeRequestStatus
Context = Mapping[str, Any]

MANAGE = "manage"  # change manager / anyone with changes.change_changerequest
REQUESTER = "requester"  # the person who raised it may also submit or cancel their draft


# --- Guards ---


def _has_window(change: Any, _context: Context) -> str | None:
    if change.planned_start is None or change.planned_end is None:
        return "Give the planned start and end first."
    return None


def _has_scope(change: Any, context: Context) -> str | None:
    if not context.get("has_scope"):
        return "Choose at least one affected service or configuration item."
    return None


def _standard_only(change: Any, _context: Context) -> str | None:
    if change.change_type != ChangeType.STANDARD:
        return "Only a standard change (from a pre-approved template) skips the CAB."
    return None


def _not_standard(change: Any, _context: Context) -> str | None:
    if change.change_type == ChangeType.STANDARD:
        return "A standard change is pre-approved: schedule it instead."
    return None


def _emergency_only(change: Any, _context: Context) -> str | None:
    if change.change_type != ChangeType.EMERGENCY:
        return "Only an emergency change takes this path."
    return None


def _risk_assessed(change: Any, _context: Context) -> str | None:
    if not (change.risk_override_level or change.risk_assessed_level):
        return "Assess the risk before the CAB sees the change."
    return None


def _cab_approved_unless_standard(change: Any, _context: Context) -> str | None:
    if change.change_type == ChangeType.STANDARD:
        return None
    if change.cab_decision != CabDecision.APPROVED:
        return "The change cannot be scheduled without an approved CAB decision."
    return None


def _cab_approved(change: Any, _context: Context) -> str | None:
    if change.cab_decision != CabDecision.APPROVED:
        return "The emergency CAB has not approved this change yet."
    return None


def _blackout_needs_override(_change: Any, context: Context) -> str | None:
    blackouts = context.get("blackouts") or []
    if blackouts and not str(context.get("blackout_override_reason") or "").strip():
        return (
            "The planned window falls into the blackout window "
            + ", ".join(f"“{name}”" for name in blackouts)
            + ". Give an override reason to schedule it anyway."
        )
    return None


def _inside_window_or_override(change: Any, context: Context) -> str | None:
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


def _emergency_decided(change: Any, _context: Context) -> str | None:
    if change.change_type == ChangeType.EMERGENCY and change.cab_decision in (
        "",
        CabDecision.PENDING,
    ):
        return "The emergency CAB must review this change before it is closed."
    return None


# --- The table ---

# Which type's path a move belongs to (`only_if`: other types never see it).
_STANDARD_PATH = (_standard_only,)
_EMERGENCY_PATH = (_emergency_only,)
_NOT_STANDARD = (_not_standard,)


def _manage(name: str, label: str, **options: Any) -> Transition:
    return Transition(name, label, who=(MANAGE,), **options)


_CANCEL = Transition("cancel", "Cancel", requires=("reason",), who=(MANAGE, REQUESTER))
_SCHEDULE_GUARDS = (_has_window, _cab_approved_unless_standard, _blackout_needs_override)

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.ASSESSMENT): Transition(
        "submit", "Submit for assessment", guards=(_has_window, _has_scope), who=(MANAGE, REQUESTER)
    ),
    (S.DRAFT, S.SCHEDULED): _manage(
        "schedule",
        "Schedule (standard change)",
        only_if=_STANDARD_PATH,
        guards=_SCHEDULE_GUARDS,
    ),
    (S.DRAFT, S.CAB): _manage(
        "emergency_cab",
        "Send to the emergency CAB",
        only_if=_EMERGENCY_PATH,
        guards=(_has_window, _has_scope),
    ),
    (S.DRAFT, S.IMPLEMENTING): _manage(
        "implement_emergency",
        "Implement now (emergency, CAB reviews after)",
        only_if=_EMERGENCY_PATH,
        requires=("reason",),
        guards=(_has_scope, _inside_window_or_override),
    ),
    (S.DRAFT, S.CANCELLED): _CANCEL,
    (S.ASSESSMENT, S.CAB): _manage(
        "send_to_cab", "Send to CAB", only_if=_NOT_STANDARD, guards=(_risk_assessed,)
    ),
    (S.ASSESSMENT, S.SCHEDULED): _manage(
        "schedule", "Schedule", only_if=_STANDARD_PATH, guards=_SCHEDULE_GUARDS
    ),
    (S.ASSESSMENT, S.IMPLEMENTING): _manage(
        "implement_emergency",
        "Implement now (emergency, CAB reviews after)",
        only_if=_EMERGENCY_PATH,
        requires=("reason",),
        guards=(_inside_window_or_override,),
    ),
    (S.ASSESSMENT, S.CANCELLED): _CANCEL,
    (S.CAB, S.SCHEDULED): _manage(
        "schedule", "Schedule", only_if=_NOT_STANDARD, guards=_SCHEDULE_GUARDS
    ),
    (S.CAB, S.IMPLEMENTING): _manage(
        "implement",
        "Implement (emergency)",
        only_if=_EMERGENCY_PATH,
        guards=(_cab_approved, _inside_window_or_override),
    ),
    (S.CAB, S.REJECTED): _manage("reject", "Reject", requires=("reason",)),
    (S.CAB, S.CANCELLED): _CANCEL,
    (S.SCHEDULED, S.IMPLEMENTING): _manage(
        "start", "Start implementing", guards=(_inside_window_or_override,)
    ),
    (S.SCHEDULED, S.CANCELLED): _CANCEL,
    (S.IMPLEMENTING, S.REVIEW): _manage(
        "complete", "Implementation finished", requires=("review_outcome",)
    ),
    (S.REVIEW, S.CLOSED): _manage(
        "close", "Close after review", requires=("review_notes",), guards=(_emergency_decided,)
    ),
}

LIFECYCLE = Lifecycle(
    noun="change",
    statuses=ChangeRequestStatus,
    transitions=TRANSITIONS,
    field_labels={
        "reason": "a reason",
        "review_outcome": "the outcome of the implementation",
        "review_notes": "review notes",
    },
    messages=Messages(actor="Only the change manager can make this move."),
)
transition_for = LIFECYCLE.transition_for


def refusal(change: Any, to_status: str, *, roles: set[str], context: Context) -> str | None:
    """Why `change` may not move to `to_status`, or None when it may.

    `roles`: MANAGE and/or REQUESTER, what the actor is for this change.
    """
    return LIFECYCLE.refusal(change, to_status, may=roles.__contains__, context=context)


def allowed_transitions(change: Any, *, roles: set[str]) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs offered to this actor: only the change's own path."""
    return LIFECYCLE.allowed(change, may=roles.__contains__)


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
