"""Every write to change management: one function per use case.

Each service runs in a transaction, locks the change it edits and checks the caller's
`expected_version` (stale → StaleVersion → 409 / "someone else changed this"), bumps
`version`, writes audit events (who, when, from → to) and outbox notifications.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from changes import risk, selectors, workflow
from changes.choices import (
    SUCCESS_OUTCOMES,
    CabDecision,
    ChangeRequestStatus,
    ChangeType,
    NoticeKind,
    QuorumRule,
    ReviewOutcome,
    RiskLevel,
)
from changes.fields import CHANGE_EDITABLE_FIELDS
from changes.impact import dependent_service_count
from changes.models import (
    CabApproval,
    CalendarFeedToken,
    ChangeIncidentLink,
    ChangeNotice,
    ChangePolicy,
    ChangeRequest,
    ChangeTemplate,
)
from itsm.accounts.models import User
from itsm.accounts.roles import Role, user_has_role, user_is_staff_member
from itsm.audit.services import audit_record, field_changes
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.dates import format_datetime
from itsm.core.exceptions import DomainError, PermissionRefused, TransitionNotAllowed
from itsm.core.locking import lock_for_update

S = ChangeRequestStatus
EDITABLE_FIELDS = CHANGE_EDITABLE_FIELDS
# Once the CAB has seen a change, its window and plans are what was approved.
EDITABLE_STATUSES = (S.DRAFT, S.ASSESSMENT)
# The requesters' wording (the portal's maintenance banner) is not part of what the CAB
# approved: it stays correctable while the change is live, until it is finished.
FINISHED_STATUSES = (S.CLOSED, S.REJECTED, S.CANCELLED)
CRITICALITY_ORDER = ["low", "medium", "high", "critical"]
FAILED_OUTCOMES = (ReviewOutcome.FAILED, ReviewOutcome.BACKED_OUT)


class InvalidChangeInput(DomainError):
    code = "invalid_change"


# --- Helpers ---


def change_policy() -> ChangePolicy:
    return ChangePolicy.objects.first() or ChangePolicy()


def _lock(change: ChangeRequest, expected_version: int | None) -> ChangeRequest:
    return lock_for_update(
        ChangeRequest.objects.all(), pk=change.pk, expected_version=expected_version
    )


def _save(
    change: ChangeRequest, *, actor: Any, action: str, before: dict[str, Any], message: str = ""
) -> dict[str, dict[str, Any]]:
    """Bump the version, save, and audit the differences (with the version step)."""
    after = {name: getattr(change, name) for name in before}
    changes = field_changes(before, after)
    change.version += 1
    changes["version"] = {"from": change.version - 1, "to": change.version}
    change.full_clean(exclude=["services", "cis", "caused_incidents"])
    change.save()
    audit_record(record=change, actor=actor, action=action, changes=changes, message=message)
    return changes


def _roles_for(actor: Any, change: ChangeRequest) -> set[str]:
    roles = set()
    if actor.has_perm("changes.change_changerequest"):
        roles.add(workflow.MANAGE)
    if change.requested_by_id == actor.pk and actor.has_perm("changes.add_changerequest"):
        roles.add(workflow.REQUESTER)
    return roles


def change_roles(*, actor: Any, change: ChangeRequest) -> set[str]:
    """What the actor is for this change (for the buttons on the page)."""
    return _roles_for(actor, change)


def _validate_scope(services: Iterable[Service], cis: Iterable[ConfigurationItem]) -> None:
    service_ids = {s.pk for s in services}
    for ci in cis:
        if ci.service_id and service_ids and ci.service_id not in service_ids:
            raise InvalidChangeInput(
                f"{ci} belongs to {ci.service}, which is not among the affected services.",
                field="cis",
            )


def _desk_url(change: ChangeRequest) -> str:
    return f"{settings.SITE_URL}{reverse('changes:desk-change-detail', args=[change.number])}"


def _service_desk(change: ChangeRequest) -> list[User]:
    team = change_policy().service_desk_team
    if team is not None:
        return list(team.members.filter(is_active=True))
    return list(
        User.objects.filter(
            is_active=True, teams__supported_services__in=change.services.all()
        ).distinct()
    )


def _notify(change: ChangeRequest, *, event: str, title: str, message: str) -> None:
    from itsm.notifications.services import notification_create

    notification_create(
        event=event,
        recipients=_service_desk(change),
        record=change,
        context={"title": title, "message": message, "url": _desk_url(change)},
        webhook_payload={
            "change": change.number,
            "title": change.title,
            "status": change.status,
            "planned_start": change.planned_start.isoformat() if change.planned_start else None,
            "planned_end": change.planned_end.isoformat() if change.planned_end else None,
            "services": [s.name for s in change.services.all()],
        },
    )


# --- Create and edit ---


@transaction.atomic
def change_create(
    *,
    actor: User,
    title: str,
    change_type: str = ChangeType.NORMAL,
    template: ChangeTemplate | None = None,
    services: Iterable[Service] = (),
    cis: Iterable[ConfigurationItem] = (),
    **fields: Any,
) -> ChangeRequest:
    """Raise an RFC in draft. From an active template it is a standard change: the template's
    plans, services and low risk are copied in (the template was pre-approved)."""
    services, cis = list(services), list(cis)
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    change = ChangeRequest(
        number=ChangeRequest.next_number(),
        title=title,
        change_type=change_type,
        requested_by=actor,
        **values,
    )
    # The requesters' wording (portal maintenance banner) starts as the title, editable.
    change.public_title = (change.public_title.strip() or title.strip())[:200]
    if template is not None:
        if not template.is_active:
            raise InvalidChangeInput(f"The template “{template}” is retired.", field="template")
        change.template = template
        change.change_type = ChangeType.STANDARD
        for plan in ("description", "implementation_plan", "backout_plan", "test_plan"):
            if not getattr(change, plan):
                setattr(change, plan, getattr(template, plan))
        change.risk_assessed_level = template.risk_level
        change.risk_reasons = [f"Pre-approved standard change “{template.name}”."]
        services = services or list(template.services.all())
    elif change.change_type == ChangeType.STANDARD:
        raise InvalidChangeInput(
            "A standard change is raised from a pre-approved template.", field="template"
        )
    _validate_scope(services, cis)
    change.full_clean(exclude=["services", "cis", "caused_incidents"])
    change.save()
    change.services.set(services)
    change.cis.set(cis)
    audit_record(record=change, actor=actor, action="created")
    return change


@transaction.atomic
def change_update(
    *,
    change: ChangeRequest,
    actor: User,
    expected_version: int | None,
    services: Iterable[Service] | None = None,
    cis: Iterable[ConfigurationItem] | None = None,
    **fields: Any,
) -> ChangeRequest:
    """Edit a change's fields while it is in draft or assessment; audited field by field."""
    change = _lock(change, expected_version)
    if not _roles_for(actor, change):
        raise PermissionRefused("Only the change manager or the change's requester can edit it.")
    if change.status not in EDITABLE_STATUSES:
        raise InvalidChangeInput(
            f"A change that is {change.get_status_display().lower()} can no longer be edited."
        )
    before = {name: getattr(change, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(change, name, value)
    new_services = list(services) if services is not None else list(change.services.all())
    new_cis = list(cis) if cis is not None else list(change.cis.all())
    _validate_scope(new_services, new_cis)
    before["services"] = ", ".join(sorted(s.name for s in change.services.all()))
    before["cis"] = ", ".join(sorted(c.name for c in change.cis.all()))
    if services is not None:
        change.services.set(new_services)
    if cis is not None:
        change.cis.set(new_cis)
    after_labels = {
        "services": ", ".join(sorted(s.name for s in new_services)),
        "cis": ", ".join(sorted(c.name for c in new_cis)),
    }
    changes = field_changes(
        before, {**{n: getattr(change, n) for n in EDITABLE_FIELDS}, **after_labels}
    )
    change.version += 1
    changes["version"] = {"from": change.version - 1, "to": change.version}
    change.full_clean(exclude=["services", "cis", "caused_incidents"])
    change.save()
    audit_record(record=change, actor=actor, action="updated", changes=changes)
    return change


@transaction.atomic
def change_set_public_title(
    *, change: ChangeRequest, actor: User, expected_version: int | None, public_title: str
) -> ChangeRequest:
    """Reword what requesters read about the change (the portal's planned-maintenance
    banner), in any state until the change is finished; audited, with a version step."""
    change = _lock(change, expected_version)
    if not _roles_for(actor, change):
        raise PermissionRefused("Only the change manager or the change's requester can reword it.")
    if change.status in FINISHED_STATUSES:
        raise InvalidChangeInput(
            f"A change that is {change.get_status_display().lower()} is no longer announced; "
            "its wording cannot change.",
            field="public_title",
        )
    if not public_title.strip():
        raise InvalidChangeInput("Write the title requesters will read.", field="public_title")
    before = {"public_title": change.public_title}
    change.public_title = public_title.strip()[:200]
    _save(change, actor=actor, action="public_title_changed", before=before)
    return change


# --- Risk ---


def risk_defaults(*, change: ChangeRequest) -> dict[str, Any]:
    """Answers the system knows: the highest criticality of the affected services, the
    failed changes on the same CIs in the last 90 days, and how many services depend on the
    CIs it touches (`changes.impact`)."""
    levels = [s.criticality for s in change.services.all()]
    criticality = max(levels, key=CRITICALITY_ORDER.index) if levels else "low"
    since = timezone.now() - timedelta(days=90)
    failed = (
        ChangeRequest.objects.filter(
            cis__in=change.cis.all(), review_outcome__in=FAILED_OUTCOMES, actual_end__gte=since
        )
        .exclude(pk=change.pk)
        .distinct()
        .count()
    )
    return {
        "criticality": criticality,
        "failed_changes": failed,
        "dependent_services": dependent_service_count(change=change),
    }


@transaction.atomic
def change_assess_risk(
    *, change: ChangeRequest, actor: User, expected_version: int | None, answers: dict[str, Any]
) -> ChangeRequest:
    """Score the risk questionnaire (`changes.risk`); keeps the answers and reasons. Any
    earlier override stays in force (the change manager decided it knowingly)."""
    change = _lock(change, expected_version)
    if not actor.has_perm("changes.change_changerequest"):
        raise PermissionRefused("Only the change manager assesses risk.")
    if change.status in (S.CLOSED, S.REJECTED, S.CANCELLED):
        raise InvalidChangeInput("The change is finished; its risk can no longer change.")
    known = risk_defaults(change=change)
    # Criticality may be judged differently from the services' own; failed changes and
    # dependent services are counted from the records, never answered.
    facts = {name: known.pop(name) for name in ("failed_changes", "dependent_services")}
    full = {**known, **{k: v for k, v in answers.items() if v != ""}, **facts}
    try:
        result = risk.assess_risk(full)
    except ValueError as error:
        raise InvalidChangeInput(str(error), field="risk_answers") from error
    before = {
        "risk_assessed_level": change.risk_assessed_level,
        "risk_answers": change.risk_answers,
    }
    change.risk_answers = full
    change.risk_assessed_level = result.level
    change.risk_reasons = list(result.reasons)
    _save(
        change,
        actor=actor,
        action="risk_assessed",
        before=before,
        message=f"Risk {result.level} (score {result.score}).",
    )
    return change


@transaction.atomic
def change_override_risk(
    *, change: ChangeRequest, actor: User, expected_version: int | None, level: str, reason: str
) -> ChangeRequest:
    """The change manager sets the risk level by hand, with a reason (audited). An empty
    `level` removes the override and the questionnaire's level applies again."""
    change = _lock(change, expected_version)
    if not user_has_role(actor, Role.CHANGE_MANAGER):
        raise PermissionRefused("Only the change manager can override the risk level.")
    if level and level not in RiskLevel.values:
        raise InvalidChangeInput("Choose low, medium or high.", field="level")
    if level and not reason.strip():
        raise InvalidChangeInput("Say why the risk level is overridden.", field="reason")
    before = {
        "risk_override_level": change.risk_override_level,
        "risk_override_reason": change.risk_override_reason,
    }
    change.risk_override_level = level
    change.risk_override_reason = reason.strip() if level else ""
    _save(change, actor=actor, action="risk_overridden", before=before, message=reason.strip())
    return change


# --- Life cycle ---


def _open_cab(change: ChangeRequest) -> None:
    """Create the pending votes and fix the quorum rule the decision will follow."""
    service_ids = [s.pk for s in change.services.all()]
    approvers = selectors.cab_approvers_for(change=change, service_ids=service_ids)
    if not approvers:
        raise TransitionNotAllowed(
            "Nobody is on the CAB for these services. Ask an administrator to add CAB members."
        )
    policy = change_policy()
    if change.is_emergency:
        change.quorum_rule = QuorumRule.COUNT
        change.quorum_count = policy.emergency_quorum_count
    else:
        change.quorum_rule = policy.quorum_rule
        change.quorum_count = (
            policy.quorum_count if policy.quorum_rule == QuorumRule.COUNT else None
        )
    change.cab_decision = CabDecision.PENDING
    change.cab_decided_at = None
    CabApproval.objects.filter(change=change).delete()
    CabApproval.objects.bulk_create(
        [CabApproval(change=change, approver=user) for user in approvers]
    )


def _resolve_problem(change: ChangeRequest, actor: User) -> None:
    """Closing a successful fix moves its problem to resolved, through problems' own service
    (changes never write problems directly). If the problem is not ready (no root cause yet)
    or the actor may not move problems, the change still closes and its timeline says why
    the problem was left for the problem manager."""
    problem = change.problem
    if problem is None:
        return
    from problems import services as problem_services
    from problems.choices import ProblemStatus

    if problem.status not in (ProblemStatus.ROOT_CAUSE_KNOWN, ProblemStatus.FIX_IN_PROGRESS):
        return
    try:
        # A savepoint: a refusal must not poison the change's transaction.
        with transaction.atomic():
            problem_services.problem_transition(
                problem=problem,
                actor=actor,
                to_status=ProblemStatus.RESOLVED,
                expected_version=None,
                resolution_notes=f"Fixed by {change.number} ({change.get_review_outcome_display()}"
                f"): {change.title}",
            )
    except DomainError as error:
        audit_record(
            record=change,
            actor=actor,
            action="problem_not_resolved",
            message=f"{problem.number} left for the problem manager: {error.message}",
        )


@transaction.atomic
def change_transition(
    *,
    change: ChangeRequest,
    actor: User,
    to_status: str,
    expected_version: int | None,
    reason: str = "",
    blackout_override_reason: str = "",
    window_override_reason: str = "",
    review_outcome: str = "",
    review_notes: str = "",
) -> ChangeRequest:
    """The one code path that changes a change's status (table in `changes.workflow`).

    Entering the CAB creates the approvers' pending votes; starting records `actual_start`;
    finishing records the outcome and tells the service desk (completed or backed out);
    closing a successful change that fixes a problem moves the problem on.
    """
    change = _lock(change, expected_version)
    if to_status not in S.values:
        raise TransitionNotAllowed(f"“{to_status}” is not a change status.", field="to_status")
    if review_outcome and review_outcome not in ReviewOutcome.values:
        raise InvalidChangeInput("Choose a review outcome from the list.", field="review_outcome")
    service_ids = [s.pk for s in change.services.all()]
    context = {
        "now": timezone.now(),
        "has_scope": bool(service_ids) or change.cis.exists(),
        "reason": reason,
        "blackout_override_reason": blackout_override_reason,
        "window_override_reason": window_override_reason,
        "review_outcome": review_outcome,
        "review_notes": review_notes,
        "blackouts": [],
    }
    start, end = change.planned_start, change.planned_end
    if to_status == S.SCHEDULED and start is not None and end is not None:
        context["blackouts"] = [
            b.name
            for b in selectors.blackout_list_overlapping(
                start=start, end=end, service_ids=service_ids
            )
        ]
    refused = workflow.refusal(change, to_status, roles=_roles_for(actor, change), context=context)
    if refused:
        raise TransitionNotAllowed(refused, field="to_status")
    return _apply(change, actor=actor, to_status=to_status, context=context)


def _apply(
    change: ChangeRequest, *, actor: Any, to_status: str, context: dict[str, Any]
) -> ChangeRequest:
    before = {
        "status": change.status,
        "cab_decision": change.cab_decision,
        "review_outcome": change.review_outcome,
        "blackout_override_reason": change.blackout_override_reason,
        "window_override_reason": change.window_override_reason,
    }
    from_status = change.status
    now = context["now"]
    change.status = to_status
    if to_status == S.CAB:
        _open_cab(change)
    if to_status == S.SCHEDULED and context["blackouts"]:
        change.blackout_override_reason = context["blackout_override_reason"].strip()
    if to_status == S.IMPLEMENTING:
        change.actual_start = now
        if context.get("window_override_reason"):
            change.window_override_reason = context["window_override_reason"].strip()
        if change.is_emergency and from_status != S.CAB:
            _open_cab(change)  # the emergency CAB reviews after implementation
    if to_status == S.REVIEW:
        change.actual_end = now
        change.review_outcome = context["review_outcome"]
    if to_status == S.CLOSED:
        change.review_notes = context["review_notes"].strip()
        change.reviewed_at = now
        change.closed_at = now
    _save(
        change,
        actor=actor,
        action="status_changed",
        before=before,
        message=context.get("reason", "").strip(),
    )
    if to_status == S.REVIEW:
        backed_out = change.review_outcome == ReviewOutcome.BACKED_OUT
        kind = NoticeKind.BACKED_OUT if backed_out else NoticeKind.COMPLETED
        ChangeNotice.objects.get_or_create(change=change, kind=kind)
        _notify(
            change,
            event="change_backed_out" if backed_out else "change_completed",
            title=f"{change.number} {'was backed out' if backed_out else 'is complete'}: "
            f"{change.title}",
            message=f"Outcome: {change.get_review_outcome_display()}. Incidents on the affected "
            "services since it started may be related; link them on the change.",
        )
    if to_status == S.CLOSED and change.review_outcome in SUCCESS_OUTCOMES:
        _resolve_problem(change, actor)
    return change


# --- CAB decisions ---


def _can_stand_in(actor: User, change: ChangeRequest) -> bool:
    # DESIGN §5: only CAB members approve, or the change manager on the emergency path.
    return change.is_emergency and user_has_role(actor, Role.CHANGE_MANAGER)


def _vote_refusal(
    change: ChangeRequest, actor: User, vote: CabApproval | None
) -> DomainError | None:
    """The CAB vote rule: why `actor` (whose vote row is `vote`, if asked) may not vote on
    `change` now, or None when they may.

    A change takes votes while it awaits the CAB, or while an emergency change implemented
    first awaits its after-the-fact review. The approvers asked (CAB members) vote once each;
    on the emergency path the change manager may vote as well.
    """
    open_for_votes = change.status == S.CAB or (
        change.is_emergency and change.status in (S.IMPLEMENTING, S.REVIEW)
    )
    if not open_for_votes or change.cab_decision != CabDecision.PENDING:
        return TransitionNotAllowed("This change is not waiting for a CAB decision.")
    is_member = vote is not None and actor.has_perm("changes.approve_changerequest")
    if not is_member and not _can_stand_in(actor, change):
        return PermissionRefused("Only the CAB members asked to decide this change can vote.")
    if vote is not None and vote.decision != CabDecision.PENDING:
        return TransitionNotAllowed("You already decided on this change.")
    return None


def change_can_vote(*, change: ChangeRequest, actor: User) -> bool:
    """Whether the change page and the CAB agenda offer `actor` the approve/reject buttons:
    the rule `change_decide` applies. Reads the votes from `change.approvals.all()`, so the
    page's selector prefetches them; writes nothing."""
    vote = next((a for a in change.approvals.all() if a.approver_id == actor.pk), None)
    return _vote_refusal(change, actor, vote) is None


@transaction.atomic
def change_decide(
    *, change: ChangeRequest, actor: User, decision: str, comment: str = ""
) -> ChangeRequest:
    """Record one approver's vote (approve/reject, with a comment) and apply the quorum rule.

    Only the change's approvers (CAB members) vote; on an emergency change the change manager
    may vote as well. A reached rejection moves the change to rejected through the same path
    every status change takes. Every vote is audited.
    """
    change = _lock(change, None)
    if decision not in (CabDecision.APPROVED, CabDecision.REJECTED):
        raise InvalidChangeInput("Approve or reject.", field="decision")
    if decision == CabDecision.REJECTED and not comment.strip():
        raise InvalidChangeInput("Say why you reject the change.", field="comment")
    vote = CabApproval.objects.filter(change=change, approver=actor).first()
    if refused := _vote_refusal(change, actor, vote):
        raise refused
    if vote is None:
        vote = CabApproval(change=change, approver=actor)
    vote.decision = decision
    vote.comment = comment.strip()
    vote.decided_at = timezone.now()
    vote.save()
    audit_record(
        record=change,
        actor=actor,
        action="cab_approved" if decision == CabDecision.APPROVED else "cab_rejected",
        message=vote.comment,
    )
    votes = list(CabApproval.objects.filter(change=change).values_list("decision", flat=True))
    outcome = workflow.quorum_outcome(
        rule=change.quorum_rule or QuorumRule.ALL,
        count=change.quorum_count,
        approved=votes.count(CabDecision.APPROVED),
        rejected=votes.count(CabDecision.REJECTED),
        total=len(votes),
    )
    before = {"cab_decision": change.cab_decision}
    if outcome != CabDecision.PENDING:
        change.cab_decision = outcome
        change.cab_decided_at = timezone.now()
    _save(
        change,
        actor=actor,
        action="cab_decision" if outcome != "pending" else "cab_vote",
        before=before,
    )
    if outcome == CabDecision.REJECTED and change.status == S.CAB:
        context = {"now": timezone.now(), "reason": "The CAB rejected the change.", "blackouts": []}
        _apply(change, actor=actor, to_status=S.REJECTED, context=context)
    return change


# --- Service desk links ---


@transaction.atomic
def change_link_incident(
    *, change: ChangeRequest, incident: Any, actor: User
) -> ChangeIncidentLink:
    """An agent records that `incident` was caused by `change` (audited on the change)."""
    from tickets.choices import TicketKind

    if incident.kind != TicketKind.INCIDENT:
        raise InvalidChangeInput("Only incidents can be caused by a change.", field="incident")
    if change.status in (S.DRAFT, S.CANCELLED, S.REJECTED):
        raise InvalidChangeInput("A change that never ran cannot have caused an incident.")
    link, created = ChangeIncidentLink.objects.get_or_create(
        change=change, incident=incident, defaults={"linked_by": actor}
    )
    if created:
        audit_record(
            record=change,
            actor=actor,
            action="incident_linked",
            message=f"{incident.number} caused by this change.",
        )
    return link


# --- Notices (beat) ---


def change_notify_upcoming() -> int:
    """Tell the service desk about scheduled changes starting within the policy's lead time.

    Each change is told once: the ChangeNotice row is inserted in the same transaction as the
    outbox rows, and its unique (change, kind) constraint makes a second run, or two beat
    runs racing, insert nothing. Returns how many changes were announced.
    """
    lead = timedelta(minutes=change_policy().notice_lead_minutes)
    sent = 0
    for change_id in list(selectors.change_list_due_notice(lead=lead).values_list("id", flat=True)):
        try:
            with transaction.atomic():
                ChangeNotice.objects.create(change_id=change_id, kind=NoticeKind.STARTING)
                change = ChangeRequest.objects.prefetch_related("services").get(pk=change_id)
                start = timezone.localtime(change.planned_start)
                _notify(
                    change,
                    event="change_starting",
                    title=f"{change.number} starts at {format_datetime(start)}: {change.title}",
                    message="Affected services: "
                    + (", ".join(s.name for s in change.services.all()) or "—")
                    + ". Expect calls about them during the window.",
                )
        except IntegrityError:
            continue  # another run announced it first
        sent += 1
    return sent


# --- Calendar feed tokens ---


@transaction.atomic
def calendar_token_create(*, user: Any) -> str:
    """Make the user's read-only calendar feed token and return its secret, the only time
    anyone sees it (only its hash is stored). An earlier token of the user stops working.
    Desk staff only: nobody else may read the change calendar."""
    if not user_is_staff_member(user):
        raise PermissionRefused("Only desk staff can subscribe to the change calendar.")
    secret = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"key_hash": CalendarFeedToken.hash_key(secret)}
    )
    return secret


@transaction.atomic
def calendar_token_revoke(*, user: Any) -> bool:
    """Revoke the user's calendar feed token (subscriptions using it get 401); False when
    there was none."""
    deleted, _ = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)
