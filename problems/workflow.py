"""The problem life cycle as a table (DESIGN §4): new → assessed → root_cause_known →
fix_in_progress → resolved → closed, with guards. Pure: no ORM writes.

`problems.services.problem_transition` is the only caller that applies a move.
"""

from collections.abc import Callable
from dataclasses import dataclass

from problems.choices import ProblemStatus

S = ProblemStatus
Guard = Callable[[object, dict], str | None]


def _has_root_cause(problem, fields: dict) -> str | None:
    if not str(fields.get("root_cause") or getattr(problem, "root_cause", "") or "").strip():
        return "Record the root cause before marking it known."
    return None


def _has_linked_incident_or_description(problem, fields: dict) -> str | None:
    if not str(getattr(problem, "description", "") or "").strip() and not fields.get(
        "incident_count"
    ):
        return "Describe the problem or link at least one incident before assessing it."
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    requires: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()


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
        "fix_abandoned", "Back to root cause known", requires=("reason",)
    ),
    (S.RESOLVED, S.FIX_IN_PROGRESS): Transition(
        "reopen", "Reopen (the fix did not hold)", requires=("reason",)
    ),
    (S.RESOLVED, S.CLOSED): Transition("close", "Close"),
}

FIELD_LABELS = {"reason": "a reason", "resolution_notes": "resolution notes"}


def refusal(problem, to_status: str, *, fields: dict) -> str | None:
    """Why `problem` may not move to `to_status` with `fields`, or None when it may."""
    if to_status not in S.values:
        return f"“{to_status}” is not a problem status."
    if problem.status == to_status:
        return f"The problem is already {S(to_status).label.lower()}."
    move = TRANSITIONS.get((problem.status, to_status))
    if move is None:
        return (
            f"A problem cannot go from {S(problem.status).label.lower()} to "
            f"{S(to_status).label.lower()}."
        )
    missing = [name for name in move.requires if not str(fields.get(name) or "").strip()]
    if missing:
        return "Please give " + " and ".join(FIELD_LABELS[name] for name in missing) + "."
    for guard in move.guards:
        if message := guard(problem, fields):
            return message
    return None


def allowed_transitions(problem) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs offered from the problem's current status."""
    return [
        (to_status, move)
        for (from_status, to_status), move in TRANSITIONS.items()
        if from_status == problem.status
    ]
