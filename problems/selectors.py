"""Reads for problem pages, the API and the ticket page's known-error panel."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from itsm.audit.models import AuditEvent
from problems.choices import CandidateStatus, ProblemStatus
from problems.models import Problem, ProblemCandidate
from tickets.models import Ticket


def problem_list(*, user: object) -> QuerySet[Problem]:
    """The desk list and /api/v1/problems/: one query, incident counts annotated. The
    category's parent names it ("Hardware › Laptop"); of the known-error article only its
    number is shown, so only that is read (not the article's body and search vector)."""
    return (
        Problem.objects.visible_to(user)
        .select_related("service", "ci", "category__parent", "assignee")
        .annotate(
            incident_count=Count("incident_links", distinct=True),
            knowledge_article_number=F("knowledge_article__number"),
        )
    )


def problem_get(*, user: object, number: str) -> Problem:
    return get_object_or_404(problem_list(user=user), number=number)


def problem_get_by_number_or_none(*, user: object, number: str) -> Problem | None:
    """A problem `user` may see by its number as typed (any case, spaces around), or None."""
    return Problem.objects.visible_to(user).filter(number=number.strip().upper()).first()


def problem_incidents(*, problem: Problem) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(problem_links__problem=problem)
        .select_related("assignee", "assignment_team", "service")
        .order_by("-created_at")
    )


def problem_timeline(*, problem: Problem) -> QuerySet[AuditEvent]:
    from django.contrib.contenttypes.models import ContentType

    return (
        AuditEvent.objects.filter(
            record_type=ContentType.objects.get_for_model(Problem), record_id=problem.pk
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def known_errors_for_ticket(*, ticket: Ticket, user: object) -> list[Problem]:
    """Published known errors matching the incident's service, CI or category (any of them),
    those linked to the incident first. Empty when the ticket has none of the three."""
    match = Q()
    if ticket.service_id:
        match |= Q(service_id=ticket.service_id)
    if ticket.ci_id:
        match |= Q(ci_id=ticket.ci_id)
    if ticket.category_id:
        match |= Q(category_id=ticket.category_id)
    match |= Q(incident_links__incident_id=ticket.pk)
    return list(
        Problem.objects.visible_to(user)
        .filter(match, is_known_error=True)
        .exclude(status="closed")
        .distinct()
        .select_related("knowledge_article")
        .order_by("-known_error_published_at")[:5]
    )


def problems_for_ticket(*, ticket: Ticket, user: object) -> list[Problem]:
    return list(
        Problem.objects.visible_to(user)
        .filter(incident_links__incident_id=ticket.pk)
        .order_by("number")
    )


def problem_panel_for_ticket(*, ticket: Ticket, user: object) -> dict[str, object]:
    """The ticket page's problems panel: linked problems and matching known errors."""
    return {
        "known_errors": known_errors_for_ticket(ticket=ticket, user=user),
        "linked_problems": problems_for_ticket(ticket=ticket, user=user),
    }


def problem_candidates_open() -> list[ProblemCandidate]:
    """The candidates queue with the incidents behind each (two queries in all)."""
    candidates = list(
        ProblemCandidate.objects.filter(status=CandidateStatus.OPEN)
        .select_related("rule", "service", "ci", "category")
        .order_by("-detected_at", "-id")
    )
    ids = {pk for c in candidates for pk in c.incident_ids}
    tickets = Ticket.objects.in_bulk(list(ids)) if ids else {}
    for candidate in candidates:
        candidate.incidents = [tickets[pk] for pk in candidate.incident_ids if pk in tickets]
    return candidates


def problem_candidate_count_open() -> int:
    """How many candidates wait in the queue (the problem list's link shows it)."""
    return ProblemCandidate.objects.filter(status=CandidateStatus.OPEN).count()


def problem_candidate_get(*, pk: int) -> ProblemCandidate:
    """One candidate, or 404. Candidates are desk records with no per-user rule: the desk
    views that call this admit desk staff only."""
    return get_object_or_404(ProblemCandidate, pk=pk)


@dataclass(frozen=True)
class ProblemStatusCount:
    """Problems in one state now, the known errors among them and their linked incidents."""

    status: ProblemStatus
    problems: int
    known_errors: int
    incidents: int


def problem_list_counts_by_status() -> list[ProblemStatusCount]:
    """One row per problem state, in life-cycle order (states without problems count 0).
    One query."""
    counts = {
        row["status"]: row
        for row in Problem.objects.values("status")
        .annotate(
            n=Count("id", distinct=True),
            known=Count("id", filter=Q(is_known_error=True), distinct=True),
            incidents=Count("incident_links", distinct=True),
        )
        .order_by()
    }
    rows = []
    for status in ProblemStatus:
        row = counts.get(status.value, {"n": 0, "known": 0, "incidents": 0})
        rows.append(
            ProblemStatusCount(
                status=status,
                problems=row["n"],
                known_errors=row["known"],
                incidents=row["incidents"],
            )
        )
    return rows
