"""Reads of release management, each shaped for its page or endpoint."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from itsm.accounts.roles import user_is_staff_member
from knowledge.models import Article
from releases.choices import UPCOMING_STATUSES, ReleaseStatus
from releases.models import DeploymentStep, Release, ReleaseIncidentTag, SupportStaffing


def release_list_visible(*, user: Any) -> QuerySet[Release]:
    """Every desk staff member sees every release; nobody else any."""
    if not user_is_staff_member(user):
        return Release.objects.none()
    return Release.objects.all()


def release_list_for_desk(*, user: Any) -> QuerySet[Release]:
    """The desk's release list and the API list."""
    return (
        release_list_visible(user=user)
        .select_related("owner")
        .prefetch_related("changes")
        .annotate(tagged_incident_count=Count("incident_tags", distinct=True))
    )


def release_list_recently_closed(*, user: Any, limit: int = 20) -> list[Release]:
    """The desk list's closed releases, last closed first, at most `limit`."""
    return list(
        release_list_for_desk(user=user)
        .filter(status=ReleaseStatus.CLOSED)
        .order_by("-closed_at")[:limit]
    )


def release_list_for_api(*, user: Any) -> QuerySet[Release]:
    """/api/v1/releases/: the releases `user` may see with what the serializer reads."""
    return (
        release_list_visible(user=user)
        .prefetch_related(
            "changes", "articles", "steps__owner", "staffing__team", "staffing__agent"
        )
        .select_related("owner")
    )


def release_list_upcoming(*, user: Any) -> QuerySet[Release]:
    """Releases not yet closed, next deployment first, with their support plans: the desk's
    "releases" page and the dashboard panel."""
    return (
        release_list_visible(user=user)
        .filter(status__in=UPCOMING_STATUSES)
        .select_related("owner")
        .prefetch_related(
            Prefetch("staffing", queryset=SupportStaffing.objects.select_related("team", "agent")),
            "articles",
            "changes__services",
        )
        .annotate(tagged_incident_count=Count("incident_tags", distinct=True))
        .order_by("planned_deploy_at", "id")
    )


def release_get_for_user(*, user: Any, number: str) -> Release:
    """One release by number with its plan, staffing, articles and changes, or 404."""
    release = (
        release_list_visible(user=user)
        .select_related("owner")
        .prefetch_related(
            Prefetch("steps", queryset=DeploymentStep.objects.select_related("owner")),
            Prefetch("staffing", queryset=SupportStaffing.objects.select_related("team", "agent")),
            "articles",
            "changes__services",
        )
        .filter(number=number.upper())
        .first()
    )
    if release is None:
        raise Http404("No such release.")
    return release


def release_hypercare_incidents(*, release: Release) -> dict[str, Any]:
    """Incidents tagged during hypercare and their counts by priority (P1…P5)."""
    tags = list(
        ReleaseIncidentTag.objects.filter(release=release)
        .select_related("incident", "incident__service")
        .order_by("-incident__created_at")
    )
    counts = {p: 0 for p in range(1, 6)}
    for tag in tags:
        counts[tag.incident.priority] = counts.get(tag.incident.priority, 0) + 1
    return {"incidents": [t.incident for t in tags], "by_priority": counts, "total": len(tags)}


def release_step_get(*, release: Release, pk: int) -> DeploymentStep:
    """One step of `release` (already checked visible) by id, or 404."""
    return get_object_or_404(DeploymentStep, pk=pk, release=release)


def release_step_get_by_order(*, release: Release, order: int) -> DeploymentStep | None:
    """The step of `release` at position `order` in its plan, or None."""
    return release.steps.filter(order=order).first()


def release_list_in_hypercare(*, user: Any, limit: int) -> list[Release]:
    """The desk home's "releases in hypercare": releases watched after deployment, the one
    whose hypercare ends first at the top. One query (the (status, planned_deploy_at) index)."""
    return list(
        release_list_visible(user=user)
        .filter(status=ReleaseStatus.HYPERCARE)
        .only("number", "name", "status", "deployed_at", "hypercare_ends_at")
        .order_by("hypercare_ends_at", "id")[:limit]
    )


# The ticket page's hypercare panel names at most this many releases.
TICKET_PANEL_RELEASES = 3


def release_known_issue_list(release: Release) -> list[str]:
    """The release's known issues, one per non-empty line of its support plan (a leading
    list marker dropped): what "this is a known issue of RLS…" offers and records."""
    issues = []
    for line in release.known_issues.splitlines():
        issue = line.strip().lstrip("-*•").strip()
        if issue:
            issues.append(issue[:300])
    return issues


def release_panel_for_ticket(*, ticket: Any, user: Any) -> dict[str, Any] | None:
    """The ticket page's "release in hypercare" panel, for desk staff: the releases the ticket
    is tagged to, or in whose hypercare window it was raised on one of their services, with
    their known issues (and the one recorded for this ticket), agent articles and desk
    staffing still to come. One query when there is none; three with one (the releases, then
    their articles and their staffing, each by the releases' ids)."""
    if not user_is_staff_member(user):
        return None
    from changes.models import ChangeRequest

    tag = ReleaseIncidentTag.objects.filter(release=OuterRef("pk"), incident_id=ticket.pk)
    match = Q(Exists(tag))
    if ticket.service_id is not None:
        on_service = Release.changes.through.objects.filter(
            release_id=OuterRef("pk"),
            changerequest__in=ChangeRequest.services.through.objects.filter(
                service_id=ticket.service_id
            ).values("changerequest_id"),
        )
        match |= Q(
            Exists(on_service),
            status=ReleaseStatus.HYPERCARE,
            deployed_at__lte=ticket.created_at,
            hypercare_ends_at__gt=ticket.created_at,
        )
    now = timezone.now()
    releases = list(
        release_list_visible(user=user)
        .filter(match)
        .annotate(is_tagged=Exists(tag), known_issue=Subquery(tag.values("known_issue")[:1]))
        .prefetch_related(
            Prefetch("articles", queryset=Article.objects.only("pk", "number", "title")),
            Prefetch(
                "staffing",
                queryset=SupportStaffing.objects.filter(ends_at__gte=now).select_related(
                    "team", "agent"
                ),
            ),
        )
        .order_by("-deployed_at", "-id")[:TICKET_PANEL_RELEASES]
    )
    if not releases:
        return None
    return {
        "releases": [
            {"release": release, "known_issues": release_known_issue_list(release)}
            for release in releases
        ],
        "is_incident": ticket.kind == "incident",
    }
