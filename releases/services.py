"""Every write to release management: one function per use case.

Each service runs in a transaction, locks the release it edits (optimistic `version` check:
stale → 409), bumps `version` and writes audit events.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from changes.choices import CabDecision, ChangeRequestStatus, ChangeType
from changes.models import ChangeRequest
from itsm.accounts.models import Team, User
from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import DomainError, PermissionRefused, TransitionNotAllowed
from itsm.core.locking import lock_for_update
from knowledge.models import Article
from releases import workflow
from releases.choices import FINISHED_STEP_STATUSES, ReleaseStatus, StepStatus
from releases.fields import RELEASE_EDITABLE_FIELDS
from releases.models import DeploymentStep, Release, ReleaseIncidentTag, SupportStaffing

EDITABLE_FIELDS = RELEASE_EDITABLE_FIELDS
READY_CHANGE_STATUSES = (
    ChangeRequestStatus.SCHEDULED,
    ChangeRequestStatus.IMPLEMENTING,
    ChangeRequestStatus.REVIEW,
    ChangeRequestStatus.CLOSED,
)
# Implementation finished: the change is in its post-implementation review, or closed.
IMPLEMENTED_CHANGE_STATUSES = (ChangeRequestStatus.REVIEW, ChangeRequestStatus.CLOSED)


class InvalidReleaseInput(DomainError):
    code = "invalid_release"


def _require_manager(actor: Any) -> None:
    if not actor.has_perm("releases.change_release"):
        raise PermissionRefused("Only the release manager can change releases.")


def _lock(release: Release, expected_version: int | None) -> Release:
    return lock_for_update(Release.objects.all(), pk=release.pk, expected_version=expected_version)


def _save(
    release: Release, *, actor: Any, action: str, before: dict[str, Any], message: str = ""
) -> None:
    after = {name: getattr(release, name) for name in before}
    changes = field_changes(before, after)
    release.version += 1
    changes["version"] = {"from": release.version - 1, "to": release.version}
    release.save()
    audit_record(record=release, actor=actor, action=action, changes=changes, message=message)


def change_refusal_for_release(change: Any) -> str | None:
    """Why an included change is not ready for deployment: it must be scheduled (or further)
    and approved by the CAB, unless it is a pre-approved standard change."""
    if change.status not in READY_CHANGE_STATUSES:
        return f"{change.number} is {change.get_status_display().lower()}"
    if change.change_type != ChangeType.STANDARD and change.cab_decision != CabDecision.APPROVED:
        return f"{change.number} has no approved CAB decision"
    return None


def change_refusal_for_hypercare(change: Any) -> str | None:
    """Why an included change keeps the release from entering hypercare: its implementation
    has not finished (review or closed)."""
    if change.status not in IMPLEMENTED_CHANGE_STATUSES:
        return f"{change.number} is {change.get_status_display().lower()}"
    return None


# --- Create and edit ---


@transaction.atomic
def release_create(
    *,
    actor: User,
    name: str,
    changes: Iterable[ChangeRequest] = (),
    articles: Iterable[Article] = (),
    **fields: Any,
) -> Release:
    """Plan a release; audited as `created`."""
    _require_manager(actor)
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    values.setdefault("owner", actor)
    release = Release(number=Release.next_number(), name=name, **values)
    release.full_clean(exclude=["changes", "articles"])
    release.save()
    release.changes.set(changes)
    release.articles.set(articles)
    audit_record(record=release, actor=actor, action="created")
    return release


@transaction.atomic
def release_update(
    *,
    release: Release,
    actor: User,
    expected_version: int | None,
    changes: Iterable[ChangeRequest] | None = None,
    articles: Iterable[Article] | None = None,
    **fields: Any,
) -> Release:
    """Edit a release and its support plan; changes can no longer be swapped once deploying."""
    _require_manager(actor)
    release = _lock(release, expected_version)
    if release.status == ReleaseStatus.CLOSED:
        raise InvalidReleaseInput("A closed release can no longer be edited.")
    before: dict[str, Any] = {name: getattr(release, name) for name in EDITABLE_FIELDS}
    after_extra: dict[str, Any] = {}
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(release, name, value)
    if changes is not None:
        changes = list(changes)
        current = sorted(c.number for c in release.changes.all())
        if sorted(c.number for c in changes) != current:
            if release.status in (ReleaseStatus.DEPLOY, ReleaseStatus.HYPERCARE):
                raise InvalidReleaseInput("The changes of a deployed release are fixed.")
            before["changes"] = ", ".join(current)
            release.changes.set(changes)
            after_extra["changes"] = ", ".join(sorted(c.number for c in changes))
    if articles is not None:
        release.articles.set(articles)
    release.full_clean(exclude=["changes", "articles"])
    changes_diff = field_changes(
        before, {**{n: getattr(release, n) for n in EDITABLE_FIELDS}, **after_extra}
    )
    release.version += 1
    changes_diff["version"] = {"from": release.version - 1, "to": release.version}
    release.save()
    audit_record(record=release, actor=actor, action="updated", changes=changes_diff)
    return release


# --- Life cycle ---


@transaction.atomic
def release_transition(
    *, release: Release, actor: User, to_status: str, expected_version: int | None
) -> Release:
    """The one code path that moves a release (table in `releases.workflow`). Entering
    hypercare needs every change implemented and the planned deployment time reached; it
    stamps the deployment time and the end of the hypercare window."""
    release = _lock(release, expected_version)
    changes = list(release.changes.all())
    steps = list(release.steps.all())
    now = timezone.now()
    context = {
        "now": now,
        "change_count": len(changes),
        "change_refusals": [r for c in changes if (r := change_refusal_for_release(c))],
        "changes_not_implemented": [r for c in changes if (r := change_refusal_for_hypercare(c))],
        "step_count": len(steps),
        "open_steps": [s.title for s in steps if s.status not in FINISHED_STEP_STATUSES],
    }
    refused = workflow.refusal(
        release,
        to_status,
        can_manage=actor.has_perm("releases.change_release"),
        context=context,
    )
    if refused:
        raise TransitionNotAllowed(refused, field="to_status")
    before = {
        "status": release.status,
        "deployed_at": release.deployed_at,
        "hypercare_ends_at": release.hypercare_ends_at,
    }
    release.status = to_status
    if to_status == ReleaseStatus.HYPERCARE:
        release.deployed_at = now
        release.hypercare_ends_at = now + timedelta(days=release.hypercare_days)
    if to_status == ReleaseStatus.CLOSED:
        release.closed_at = now
    _save(release, actor=actor, action="status_changed", before=before)
    return release


# --- Deployment plan and support plan ---


@transaction.atomic
def release_step_add(
    *, release: Release, actor: User, title: str, owner: User | None = None, notes: str = ""
) -> DeploymentStep:
    """Append a step to the deployment plan (next order number)."""
    _require_manager(actor)
    release = _lock(release, None)
    if not title.strip():
        raise InvalidReleaseInput("Give the step a title.", field="title")
    order = (release.steps.aggregate(m=Max("order"))["m"] or 0) + 1
    step = DeploymentStep.objects.create(
        release=release, order=order, title=title.strip(), owner=owner, notes=notes
    )
    audit_record(record=release, actor=actor, action="step_added", message=f"{order}. {title}")
    return step


@transaction.atomic
def release_step_set_status(
    *, step: DeploymentStep, actor: User, status: str, notes: str | None = None
) -> DeploymentStep:
    """The step's owner or the release manager records progress on a deployment step."""
    if step.owner_id != actor.pk and not actor.has_perm("releases.change_release"):
        raise PermissionRefused("Only the step's owner or the release manager updates it.")
    if status not in StepStatus.values:
        raise InvalidReleaseInput("Choose a step status from the list.", field="status")
    step = DeploymentStep.objects.select_for_update().get(pk=step.pk)
    before = step.status
    step.status = status
    if notes is not None:
        step.notes = notes
    step.save()
    audit_record(
        record=step.release,
        actor=actor,
        action="step_updated",
        changes={f"step {step.order}": {"from": before, "to": status}},
    )
    return step


@transaction.atomic
def release_staffing_add(
    *,
    release: Release,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    team: Team | None = None,
    agent: User | None = None,
    notes: str = "",
) -> SupportStaffing:
    """Add a staffing entry to the support plan: a team and/or agent on duty from–to."""
    _require_manager(actor)
    if team is None and agent is None:
        raise InvalidReleaseInput("Choose a team or an agent.", field="team")
    if ends_at <= starts_at:
        raise InvalidReleaseInput("The shift must end after it starts.", field="ends_at")
    entry = SupportStaffing.objects.create(
        release=release, team=team, agent=agent, starts_at=starts_at, ends_at=ends_at, notes=notes
    )
    audit_record(record=release, actor=actor, action="staffing_added", message=str(entry))
    return entry


# --- Hypercare ---


def release_tag_hypercare_incidents(*, release: Release | None = None) -> int:
    """Tag incidents raised on a release's services during its hypercare window.

    Runs from beat every 10 minutes for every release in hypercare, and for one release when
    its page is opened, so the page is never stale. Tags are rows (not computed on the fly)
    so that an incident stays tagged after it moves to another service or the window ends.
    Insert-or-ignore on the unique (release, incident) pair makes reruns harmless.
    """
    from tickets.choices import TicketKind
    from tickets.models import Ticket

    releases = (
        [release]
        if release is not None
        else list(Release.objects.filter(status=ReleaseStatus.HYPERCARE))
    )
    created = 0
    for rel in releases:
        if rel.deployed_at is None or rel.hypercare_ends_at is None:
            continue
        service_ids = list(
            rel.changes.values_list("services", flat=True).exclude(services=None).distinct()
        )
        if not service_ids:
            continue
        incident_ids = Ticket.objects.filter(
            kind=TicketKind.INCIDENT,
            service_id__in=service_ids,
            created_at__gte=rel.deployed_at,
            created_at__lt=rel.hypercare_ends_at,
        ).values_list("id", flat=True)
        rows = ReleaseIncidentTag.objects.bulk_create(
            [ReleaseIncidentTag(release=rel, incident_id=i) for i in incident_ids],
            ignore_conflicts=True,
        )
        created += len(rows)
    return created


@transaction.atomic
def release_tag_known_issue(
    *, release: Release, ticket: Any, actor: Any, known_issue: str
) -> ReleaseIncidentTag:
    """ "This is a known issue of RLS…": tag the ticket to the release (if the hypercare
    sweep has not already) and record which of its known issues it is, audited on the
    ticket's timeline (from → to). The desk does this, so it is the desk's right to change
    tickets that is checked, not the release manager's."""
    from itsm.core.permissions import require_permission
    from releases.selectors import release_known_issue_list
    from tickets import permissions as ticket_may

    require_permission(
        actor, ticket_may.CHANGE, refusal="Only the service desk can tag tickets to a release."
    )
    issue = known_issue.strip()
    if issue not in release_known_issue_list(release):
        raise InvalidReleaseInput(
            f"Choose one of the known issues of {release.number}.", field="known_issue"
        )
    tag, _ = ReleaseIncidentTag.objects.select_for_update().get_or_create(
        release=release, incident_id=ticket.pk
    )
    if tag.known_issue == issue:
        return tag
    before = {"known_issue": tag.known_issue}
    tag.known_issue = issue
    tag.save(update_fields=["known_issue"])
    audit_record(
        record=ticket,
        actor=actor,
        action="release_known_issue",
        changes=field_changes(before, {"known_issue": issue}),
        message=f"Known issue of {release.number}: {issue}",
    )
    return tag
