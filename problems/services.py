"""Every write to problems, known errors and problem candidates: one function per use case.

Each runs in a transaction, locks what it changes (a stale `expected_version` is a 409),
bumps `version`, writes audit events (on the problem, and on an incident when its links
change) and outbox notifications.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import user_is_staff_member
from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import DomainError, PermissionRefused, TransitionNotAllowed
from itsm.core.locking import lock_for_update
from problems import workflow
from problems.choices import (
    CandidateGrouping,
    CandidateStatus,
    ProblemStatus,
    RcaMethod,
)
from problems.fields import PROBLEM_EDITABLE_FIELDS
from problems.models import Problem, ProblemCandidate, ProblemDetectionRule, ProblemIncidentLink
from tickets.choices import OPEN_STATUSES, Priority, TicketKind
from tickets.models import MajorIncident, Ticket


class InvalidProblemInput(DomainError):
    code = "invalid_input"


EDITABLE_FIELDS = PROBLEM_EDITABLE_FIELDS


def _require(actor: Any, permission: str, what: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionRefused(f"You are not allowed to {what}.")


def _lock(problem: Problem, expected_version: int | None) -> Problem:
    return lock_for_update(Problem.objects.all(), pk=problem.pk, expected_version=expected_version)


def _save(
    problem: Problem, *, actor: Any, action: str, before: dict[str, Any], message: str = ""
) -> None:
    """Bump the version, save, and audit the differences (with the version step)."""
    changes = field_changes(before, {name: getattr(problem, name) for name in before})
    problem.version += 1
    changes["version"] = {"from": problem.version - 1, "to": problem.version}
    problem.save()
    audit_record(record=problem, actor=actor, action=action, changes=changes, message=message)


def _validate(problem: Problem) -> None:
    if not problem.statement.strip():
        raise InvalidProblemInput("State the problem in one sentence.", field="statement")
    if problem.priority not in Priority.values:
        raise InvalidProblemInput("Choose a priority from P1 to P5.", field="priority")
    if problem.rca_method and problem.rca_method not in RcaMethod.values:
        raise InvalidProblemInput("Choose a known analysis method.", field="rca_method")
    if not isinstance(problem.rca_analysis, dict):
        raise InvalidProblemInput("The analysis must be a JSON object.", field="rca_analysis")
    if (
        problem.ci is not None
        and problem.service is not None
        and problem.ci.service_id not in (None, problem.service.pk)
    ):
        raise InvalidProblemInput(
            f"{problem.ci} is part of {problem.ci.service}, not {problem.service}.", field="ci"
        )
    if problem.assignee is not None and not user_is_staff_member(problem.assignee):
        raise InvalidProblemInput("Assign the problem to someone on the desk.", field="assignee")


# --- Create and edit ---


@transaction.atomic
def problem_create(
    *,
    actor: User,
    statement: str,
    description: str = "",
    service: Any = None,
    ci: Any = None,
    category: Any = None,
    priority: int = Priority.P3,
    assignee: User | None = None,
    incidents: Iterable[Ticket] = (),
    source_major_incident: MajorIncident | None = None,
) -> Problem:
    """Raise a problem (agents and problem managers), optionally with incidents linked at once.
    Writes a `created` audit event and one `problem_linked` event per linked incident."""
    _require(actor, "problems.add_problem", "raise problems")
    problem = Problem(
        number=Problem.next_number(),
        statement=(statement or "").strip(),
        description=description,
        service=service,
        ci=ci,
        category=category,
        priority=priority,
        assignee=assignee,
        created_by=actor,
        source_major_incident=source_major_incident,
    )
    _validate(problem)
    problem.save()
    audit_record(
        record=problem,
        actor=actor,
        action="created",
        changes={
            "status": {"from": None, "to": problem.status},
            "version": {"from": None, "to": 1},
        },
    )
    _link(problem, actor=actor, incidents=incidents)
    return problem


@transaction.atomic
def problem_update(
    *, problem: Problem, actor: User, expected_version: int | None, **fields: Any
) -> Problem:
    """Edit what the problem is about and its root-cause analysis (problem managers)."""
    _require(actor, "problems.change_problem", "edit problems")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidProblemInput(
            f"These fields cannot be edited here: {', '.join(sorted(unknown))}."
        )
    problem = _lock(problem, expected_version)
    if problem.status == ProblemStatus.CLOSED:
        raise TransitionNotAllowed("A closed problem cannot be edited.")
    before = {name: getattr(problem, name) for name in fields}
    for name, value in fields.items():
        setattr(problem, name, value)
    if isinstance(problem.statement, str):
        problem.statement = problem.statement.strip()
    _validate(problem)
    if problem.status == ProblemStatus.ROOT_CAUSE_KNOWN and not problem.root_cause.strip():
        raise InvalidProblemInput(
            "The root cause is known at this stage; it cannot be emptied.", field="root_cause"
        )
    _save(problem, actor=actor, action="updated", before=before)
    return problem


# --- Life cycle ---


@transaction.atomic
def problem_transition(
    *,
    problem: Problem,
    actor: User,
    to_status: str,
    expected_version: int | None,
    **fields: Any,
) -> Problem:
    """The one code path that changes a problem's `status` (table in problems.workflow).

    Fields: `root_cause` (may be given with the move to root_cause_known), `resolution_notes`
    (resolve), `reason` (close early, reopen, abandon a fix). Resolving notifies the assignees
    of the linked incidents that are still open, so they can apply the fix and resolve them.
    """
    _require(actor, "problems.change_problem", "move problems through their life cycle")
    problem = _lock(problem, expected_version)
    fields = {k: v for k, v in fields.items() if v not in (None, "")}
    fields["incident_count"] = problem.incident_links.count()
    if message := workflow.refusal(problem, to_status, fields=fields):
        raise TransitionNotAllowed(message, field="to_status")
    before = {
        name: getattr(problem, name)
        for name in ("status", "root_cause", "resolution_notes", "resolved_at", "closed_at")
    }
    from_status = problem.status
    problem.status = to_status
    now = timezone.now()
    if fields.get("root_cause"):
        problem.root_cause = str(fields["root_cause"]).strip()
    if to_status == ProblemStatus.RESOLVED:
        problem.resolution_notes = str(fields["resolution_notes"]).strip()
        problem.resolved_at = now
    if to_status == ProblemStatus.CLOSED:
        problem.closed_at = now
    if from_status == ProblemStatus.RESOLVED and to_status == ProblemStatus.FIX_IN_PROGRESS:
        problem.resolved_at = None
    _save(
        problem,
        actor=actor,
        action="status_changed",
        before=before,
        message=str(fields.get("reason") or fields.get("resolution_notes") or "").strip(),
    )
    if to_status == ProblemStatus.RESOLVED:
        _notify_resolved(problem)
    return problem


def _notify_resolved(problem: Problem) -> None:
    from itsm.notifications.services import notification_create

    open_incidents = (
        Ticket.objects.filter(problem_links__problem=problem, status__in=OPEN_STATUSES)
        .select_related("assignee", "assignment_team")
        .order_by("pk")
    )
    recipients: list[User] = []
    numbers = []
    for incident in open_incidents:
        numbers.append(incident.number)
        if incident.assignee is not None:
            recipients.append(incident.assignee)
        elif incident.assignment_team is not None:
            recipients += list(incident.assignment_team.members.filter(is_active=True))
    if not recipients:
        return
    notification_create(
        event="problem_resolved",
        recipients=recipients,
        record=problem,
        context={
            "title": f"{problem.number} resolved: {problem.statement}",
            "message": (
                f"The problem behind your incidents ({', '.join(numbers)}) is resolved.\n\n"
                f"{problem.resolution_notes}"
            ),
            "url": settings.SITE_URL + problem.get_absolute_url(),
        },
    )


# --- Linking incidents ---


def _link(problem: Problem, *, actor: Any, incidents: Iterable[Ticket]) -> list[Ticket]:
    incidents = list(incidents)
    for incident in incidents:
        if incident.kind != TicketKind.INCIDENT:
            raise InvalidProblemInput(
                f"{incident.number} is a service request; only incidents link to problems.",
                field="incidents",
            )
    already = set(
        ProblemIncidentLink.objects.filter(problem=problem).values_list("incident_id", flat=True)
    )
    new = [i for i in dict.fromkeys(incidents) if i.pk not in already]
    ProblemIncidentLink.objects.bulk_create(
        [ProblemIncidentLink(problem=problem, incident=i, linked_by=actor) for i in new],
        ignore_conflicts=True,
    )
    for incident in new:
        audit_record(record=incident, actor=actor, action="problem_linked", message=problem.number)
    if new:
        audit_record(
            record=problem,
            actor=actor,
            action="incidents_linked",
            message=", ".join(i.number for i in new),
        )
    return new


@transaction.atomic
def problem_link_incidents(
    *, problem: Problem, actor: User, incidents: Iterable[Ticket]
) -> list[Ticket]:
    """Link incidents to a problem (from the problem, in bulk, or from one incident's page).
    Already-linked ones are skipped; returns the newly linked incidents."""
    if not user_is_staff_member(actor):
        raise PermissionRefused("Only the service desk can link incidents to problems.")
    problem = _lock(problem, None)
    if problem.status == ProblemStatus.CLOSED:
        raise TransitionNotAllowed("A closed problem takes no more incidents.")
    return _link(problem, actor=actor, incidents=incidents)


@transaction.atomic
def problem_unlink_incident(*, problem: Problem, actor: User, incident: Ticket) -> None:
    """Remove a wrong link (audited on both records)."""
    if not user_is_staff_member(actor):
        raise PermissionRefused("Only the service desk can unlink incidents.")
    deleted, _ = ProblemIncidentLink.objects.filter(problem=problem, incident=incident).delete()
    if deleted:
        audit_record(
            record=incident, actor=actor, action="problem_unlinked", message=problem.number
        )
        audit_record(
            record=problem, actor=actor, action="incident_unlinked", message=incident.number
        )


# --- Known errors ---


@transaction.atomic
def problem_publish_known_error(
    *,
    problem: Problem,
    actor: User,
    expected_version: int | None,
    workaround: str,
    create_article: bool = False,
) -> Problem:
    """Publish the workaround: the problem becomes a known error, shown to agents on incidents
    with the same service, CI or category. With `create_article`, also writes a knowledge
    article draft (internal audience) through knowledge.services, for the editors to review."""
    _require(actor, "problems.change_problem", "publish known errors")
    if not workaround.strip():
        raise InvalidProblemInput(
            "Describe the workaround agents should apply.", field="workaround"
        )
    problem = _lock(problem, expected_version)
    if problem.status == ProblemStatus.CLOSED:
        raise TransitionNotAllowed("A closed problem cannot be published as a known error.")
    before = {
        name: getattr(problem, name)
        for name in ("workaround", "is_known_error", "known_error_published_at")
    }
    problem.workaround = workaround.strip()
    problem.is_known_error = True
    problem.known_error_published_at = timezone.now()
    if create_article and problem.knowledge_article_id is None:
        problem.knowledge_article = _article_draft(problem, actor)
    _save(problem, actor=actor, action="known_error_published", before=before)
    return problem


def _article_draft(problem: Problem, actor: User) -> Any:
    from knowledge.choices import ArticleAudience
    from knowledge.services import article_create

    parts = [f"Known error {problem.number}: {problem.statement}"]
    if problem.symptoms:
        parts += ["## Symptoms", problem.symptoms]
    if problem.root_cause:
        parts += ["## Cause", problem.root_cause]
    parts += ["## Workaround", problem.workaround]
    return article_create(
        actor=actor,
        title=f"Known error: {problem.statement}"[:200],
        summary=f"Workaround for {problem.number}"[:500],
        body="\n\n".join(parts),
        services=[problem.service] if problem.service_id else [],
        audience=ArticleAudience.INTERNAL,
    )


@transaction.atomic
def problem_withdraw_known_error(*, problem: Problem, actor: User) -> Problem:
    """Stop showing the workaround (it turned out wrong, or the fix made it obsolete)."""
    _require(actor, "problems.change_problem", "withdraw known errors")
    problem = _lock(problem, None)
    before = {"is_known_error": problem.is_known_error}
    problem.is_known_error = False
    _save(problem, actor=actor, action="known_error_withdrawn", before=before)
    return problem


# --- From a major incident's review ---


@transaction.atomic
def problem_create_from_major_incident(*, major: MajorIncident, actor: User) -> Problem:
    """The review "opens a problem": the major incident's incident and its children are
    linked, the review's root cause (if any) seeds the analysis."""
    existing = Problem.objects.filter(source_major_incident=major).first()
    if existing is not None:
        return existing
    ticket = major.ticket
    review = getattr(major, "review", None)
    problem = problem_create(
        actor=actor,
        statement=ticket.short_description,
        description=f"Opened from the review of major incident {ticket.number}.\n\n{major.reason}",
        service=ticket.service,
        ci=ticket.ci,
        category=ticket.category,
        priority=ticket.priority,
        incidents=[ticket, *ticket.children.all()],
        source_major_incident=major,
    )
    if review is not None and review.root_cause:
        problem.symptoms = review.timeline
        problem.root_cause = review.root_cause
        problem.save(update_fields=["symptoms", "root_cause"])
    return problem


# --- Trend detection ---

GROUP_FIELDS = {
    CandidateGrouping.SERVICE: "service",
    CandidateGrouping.CI: "ci",
    CandidateGrouping.CATEGORY: "category",
}


def problem_candidates_detect() -> int:
    """Daily: propose problem candidates from repeated incidents; returns how many were new.

    For each active ProblemDetectionRule, incidents of the last `window_days` that share a
    service (or CI, or category), are not yet linked to a problem and are not children or
    duplicates of another ticket are counted; a group with at least `min_incidents` becomes
    a candidate. A group with an open candidate gets its incident list refreshed; a dismissed
    group is never proposed again.
    """
    created = 0
    now = timezone.now()
    for rule in ProblemDetectionRule.objects.filter(is_active=True).order_by("pk"):
        name = GROUP_FIELDS[CandidateGrouping(rule.group_by)]
        recent = Ticket.objects.filter(
            kind=TicketKind.INCIDENT,
            created_at__gte=now - timedelta(days=rule.window_days),
            parent__isnull=True,
            duplicate_of__isnull=True,
            problem_links__isnull=True,
            **{f"{name}__isnull": False},
        )
        groups = (
            recent.values(name)
            .annotate(n=Count("pk"))
            .filter(n__gte=rule.min_incidents)
            .order_by(name)
        )
        for group in groups:
            value = group[name]
            ids = list(recent.filter(**{name: value}).order_by("pk").values_list("pk", flat=True))
            created += _propose(rule=rule, name=name, value=value, incident_ids=ids)
    return created


@transaction.atomic
def _propose(*, rule: ProblemDetectionRule, name: str, value: int, incident_ids: list[int]) -> int:
    key = f"{name}:{value}"
    # The lock serialises two detection runs on the same group; the partial unique constraint
    # is the last word if they still race.
    known = (
        ProblemCandidate.objects.select_for_update()
        .filter(group_key=key, status__in=[CandidateStatus.OPEN, CandidateStatus.DISMISSED])
        .first()
    )
    if known is not None:
        if known.status == CandidateStatus.OPEN:
            known.incident_ids = sorted(set(known.incident_ids) | set(incident_ids))
            known.save(update_fields=["incident_ids"])
        return 0
    sample = Ticket.objects.select_related(name).get(pk=incident_ids[0])
    target = getattr(sample, name)
    label = {"service": "Service", "ci": "CI", "category": "Category"}[name]
    ProblemCandidate.objects.create(
        rule=rule,
        group_key=key,
        group_label=f"{label}: {target}",
        incident_ids=incident_ids,
        **{name: target},
    )
    return 1


@transaction.atomic
def problem_candidate_accept(
    *, candidate: ProblemCandidate, actor: User, statement: str = ""
) -> Problem:
    """Turn a candidate into a problem with its incidents linked (problem managers)."""
    _require(actor, "problems.change_problemcandidate", "decide on problem candidates")
    candidate = ProblemCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != CandidateStatus.OPEN:
        raise TransitionNotAllowed("This candidate was already decided.")
    incidents = list(Ticket.objects.filter(pk__in=candidate.incident_ids).order_by("pk"))
    problem = problem_create(
        actor=actor,
        statement=statement.strip() or f"Repeated incidents on {candidate.group_label}"[:200],
        description=f"Proposed by trend detection: {len(incidents)} incidents "
        f"({candidate.group_label}).",
        service=candidate.service,
        ci=candidate.ci,
        category=candidate.category,
        priority=min([i.priority for i in incidents] or [Priority.P3]),
        incidents=incidents,
    )
    candidate.status = CandidateStatus.ACCEPTED
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.problem = problem
    candidate.save(update_fields=["status", "decided_by", "decided_at", "problem"])
    audit_record(
        record=problem, actor=actor, action="candidate_accepted", message=candidate.group_label
    )
    return problem


@transaction.atomic
def problem_candidate_dismiss(
    *, candidate: ProblemCandidate, actor: User, note: str = ""
) -> ProblemCandidate:
    """Dismiss a candidate; the group is remembered and not proposed again."""
    _require(actor, "problems.change_problemcandidate", "decide on problem candidates")
    candidate = ProblemCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != CandidateStatus.OPEN:
        raise TransitionNotAllowed("This candidate was already decided.")
    candidate.status = CandidateStatus.DISMISSED
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.decision_note = note.strip()[:300]
    candidate.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return candidate
