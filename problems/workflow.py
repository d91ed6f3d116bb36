"""The problem life cycle as a table (DESIGN §4): new → assessed → root_cause_known →
fix_in_progress → resolved → closed, with guards. Pure: no ORM writes.

The walk is `itsm.core.workflow`'s. `problems.services.problem_transition` is the only
caller that applies a move; it has already checked that the actor may move problems at all.
"""

from collections.abc import Mapping
from typing import Any

from itsm.core.workflow import Lifecycle, Transition
from problems.choices import ProblemStatus

S = ProblemStatus


def _has_root_cause(problem: Any, fields: Mapping[str, Any]) -> str | None:
    if not str(fields.get("root_cause") or getattr(problem, "root_cause", "") or "").strip():
        return "Record the root cause before marking it known."
    return None


def _has_linked_incident_or_description(problem: Any, fields: Mapping[str, Any]) -> str | None:
    if not str(getattr(problem, "description", "") or "").strip() and not fields.get(
        "incident_count"
    ):
        return "Describe the problem or link at least one incident before assessing it."
    return None


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.NEW, S.ASSESSED): Transition(
        "assess", "Mark assessed", guards=(_has_linked_incident_or_description,)
    ),
    (S.NEW, S.CLOSED): Transition("close", "Close (not a problem)", requires=("reason",)),
    (S.ASSESSED, S.ROOT_CAUSE_KNOWN): Transition(
        "root_cause_found", "Root cause known", guards=(_has_root_cause,)
    ),
    (S.ASSESSED, S.CLOSED): Transition("close", "Close (not a problem)", requires=("reason",)),
    (S.ROOT_CAUSE_KNOWN, S.FIX_IN_PROGRESS): Transition("start_fix", "Start the fix"),
    (S.ROOT_CAUSE_KNOWN, S.RESOLVED): Transition(
        "resolve", "Resolve", requires=("resolution_notes",), guards=(_has_root_cause,)
    ),
    (S.FIX_IN_PROGRESS, S.RESOLVED): Transition(
        "resolve", "Resolve", requires=("resolution_notes",), guards=(_has_root_cause,)
    ),
    (S.FIX_IN_PROGRESS, S.ROOT_CAUSE_KNOWN): Transition(
        "fix_abandoned", "Back to root cause known", requires=("reason",), backward=True
    ),
    (S.RESOLVED, S.FIX_IN_PROGRESS): Transition(
        "reopen", "Reopen (the fix did not hold)", requires=("reason",), backward=True
    ),
    (S.RESOLVED, S.CLOSED): Transition("close", "Close"),
}

LIFECYCLE = Lifecycle(
    noun="problem",
    statuses=ProblemStatus,
    transitions=TRANSITIONS,
    field_labels={"reason": "a reason", "resolution_notes": "resolution notes"},
)
transition_for = LIFECYCLE.transition_for


def refusal(problem: Any, to_status: str, *, fields: Mapping[str, Any]) -> str | None:
    """Why `problem` may not move to `to_status` with `fields`, or None when it may."""
    return LIFECYCLE.refusal(problem, to_status, context=fields)


def allowed_transitions(problem: Any) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs offered from the problem's current status."""
    return LIFECYCLE.allowed(problem)
