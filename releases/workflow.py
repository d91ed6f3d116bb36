"""The release life cycle as a table: planning → build → test → deploy → hypercare → closed.

Pure: no ORM writes. `releases.services.release_transition` applies moves. The context the
service passes in holds facts it looked up: `change_refusals` (why each included change is
not ready) and `open_steps` (deployment steps not yet done or skipped).
"""

from collections.abc import Callable
from dataclasses import dataclass

from releases.choices import ReleaseStatus

S = ReleaseStatus
Guard = Callable[[object, dict], str | None]


def _has_changes(_release, context: dict) -> str | None:
    if not context.get("change_count"):
        return "Add the changes this release delivers first."
    return None


def _changes_ready(_release, context: dict) -> str | None:
    refusals = context.get("change_refusals") or []
    if refusals:
        return "Not every change is scheduled and approved: " + "; ".join(refusals) + "."
    return None


def _steps_finished(_release, context: dict) -> str | None:
    open_steps = context.get("open_steps") or []
    if open_steps:
        return "Finish or skip the deployment steps first: " + ", ".join(open_steps) + "."
    return None


def _has_plan(_release, context: dict) -> str | None:
    if not context.get("step_count"):
        return "Write the deployment plan (at least one step) first."
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    guards: tuple[Guard, ...] = ()


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.PLANNING, S.BUILD): Transition("build", "Start build", guards=(_has_changes,)),
    (S.BUILD, S.TEST): Transition("test", "Start testing"),
    (S.TEST, S.BUILD): Transition("rebuild", "Back to build"),
    (S.TEST, S.DEPLOY): Transition(
        "deploy", "Start deployment", guards=(_has_changes, _changes_ready, _has_plan)
    ),
    (S.DEPLOY, S.HYPERCARE): Transition(
        "hypercare", "Deployed: start hypercare", guards=(_steps_finished,)
    ),
    (S.HYPERCARE, S.CLOSED): Transition("close", "Close"),
}


def refusal(release, to_status: str, *, can_manage: bool, context: dict) -> str | None:
    """Why `release` may not move to `to_status`, or None when it may."""
    label = S(to_status).label.lower() if to_status in S.values else to_status
    if release.status == to_status:
        return f"The release is already in {label}."
    move = TRANSITIONS.get((release.status, to_status))
    if move is None:
        return f"A release cannot go from {S(release.status).label.lower()} to {label}."
    if not can_manage:
        return "Only the release manager can move a release."
    for guard in move.guards:
        if message := guard(release, context):
            return message
    return None


def allowed_transitions(release, *, can_manage: bool) -> list[tuple[str, Transition]]:
    if not can_manage:
        return []
    return [
        (to_status, move)
        for (from_status, to_status), move in TRANSITIONS.items()
        if from_status == release.status
    ]
