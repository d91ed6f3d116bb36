"""The release life cycle as a table: planning → build → test → deploy → hypercare → closed.

Pure: no ORM writes; the walk is `itsm.core.workflow`'s. `releases.services.release_transition`
applies moves, and is the only path into hypercare (desk page, API and demo all call it). The
context the service passes in holds facts it looked up: `now`, `change_refusals` (why each
included change is not ready to deploy), `changes_not_implemented` (why each is not done yet)
and `open_steps` (deployment steps not yet done or skipped).
"""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from itsm.core.workflow import Lifecycle, Messages, Transition
from releases.choices import ReleaseStatus

S = ReleaseStatus
MANAGE = "manage"  # the release manager (releases.change_release)
Context = Mapping[str, Any]


# --- Guards ---


def _has_changes(_release: Any, context: Context) -> str | None:
    if not context.get("change_count"):
        return "Add the changes this release delivers first."
    return None


def _changes_ready(_release: Any, context: Context) -> str | None:
    refusals = context.get("change_refusals") or []
    if refusals:
        return "Not every change is scheduled and approved: " + "; ".join(refusals) + "."
    return None


def _changes_implemented(_release: Any, context: Context) -> str | None:
    refusals = context.get("changes_not_implemented") or []
    if refusals:
        return "Not every change is implemented yet: " + "; ".join(refusals) + "."
    return None


def _deploy_date_reached(release: Any, context: Context) -> str | None:
    # Hypercare stamps `deployed_at` and tags incidents from then on: starting it before the
    # planned deployment would tag the incidents of the old version.
    planned = release.planned_deploy_at
    if planned is not None and context["now"] < planned:
        return (
            f"The deployment is planned for {timezone.localtime(planned):%d %b %Y %H:%M}; "
            "hypercare cannot start before then."
        )
    return None


def _steps_finished(_release: Any, context: Context) -> str | None:
    open_steps = context.get("open_steps") or []
    if open_steps:
        return "Finish or skip the deployment steps first: " + ", ".join(open_steps) + "."
    return None


def _has_plan(_release: Any, context: Context) -> str | None:
    if not context.get("step_count"):
        return "Write the deployment plan (at least one step) first."
    return None


# --- The table (the natural next step first: it is what the page preselects) ---


def _manage(name: str, label: str, **options: Any) -> Transition:
    return Transition(name, label, who=(MANAGE,), **options)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.PLANNING, S.BUILD): _manage("build", "Start build", guards=(_has_changes,)),
    (S.BUILD, S.TEST): _manage("test", "Start testing"),
    (S.TEST, S.DEPLOY): _manage(
        "deploy", "Start deployment", guards=(_has_changes, _changes_ready, _has_plan)
    ),
    (S.TEST, S.BUILD): _manage("rebuild", "Back to build", backward=True),
    (S.DEPLOY, S.HYPERCARE): _manage(
        "hypercare",
        "Deployed: start hypercare",
        guards=(_changes_implemented, _deploy_date_reached, _steps_finished),
    ),
    (S.HYPERCARE, S.CLOSED): _manage("close", "Close"),
}

LIFECYCLE = Lifecycle(
    noun="release",
    statuses=ReleaseStatus,
    transitions=TRANSITIONS,
    messages=Messages(
        same="The release is already in {to}.",
        actor="Only the release manager can move a release.",
    ),
)
transition_for = LIFECYCLE.transition_for


def _may(*, can_manage: bool) -> Any:
    return {MANAGE}.__contains__ if can_manage else set().__contains__


def refusal(release: Any, to_status: str, *, can_manage: bool, context: Context) -> str | None:
    """Why `release` may not move to `to_status`, or None when it may."""
    return LIFECYCLE.refusal(release, to_status, may=_may(can_manage=can_manage), context=context)


def allowed_transitions(release: Any, *, can_manage: bool) -> list[tuple[str, Transition]]:
    """(to_status, transition) pairs the page offers; nothing to someone who cannot manage."""
    return LIFECYCLE.allowed(release, may=_may(can_manage=can_manage))


def default_transition(moves: list[tuple[str, Transition]]) -> str | None:
    """The move the page preselects: the natural next step, never a step back."""
    return LIFECYCLE.default_move(moves)
