"""Reads for the major-incident pages, the API, the portal and desk banners and the dashboards."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.urls import reverse

from itsm.accounts.roles import user_is_staff_member
from itsm.audit.models import AuditEvent
from itsm.cmdb import graph
from itsm.core.cache import cached
from itsm.notifications.models import Notification
from itsm.notifications.selectors import notification_list_for_record
from tickets.major.models import MajorIncident, MajorIncidentStatus, MajorIncidentUpdate
from tickets.models import Ticket

# The events that tell the stakeholders (not the requesters) about a major incident.
STAKEHOLDER_EVENTS = ("major_incident_declared", "major_incident_resolved")
# Banners name at most this many open major incidents (a bounded query on every page).
BANNER_LIMIT = 5
DESK_BANNER_CACHE_KEY = "major:desk-banner"
# Brief: the services drop the entry on every change, the TTL only bounds a missed drop.
DESK_BANNER_TTL_SECONDS = 30


def major_list() -> QuerySet[MajorIncident]:
    """Every major incident with what the list and the API show, in one query."""
    return MajorIncident.objects.select_related(
        "ticket__service", "ticket__ci", "manager", "communications_owner", "declared_by"
    ).annotate(child_count=Count("ticket__children", distinct=True))


def major_list_active() -> QuerySet[MajorIncident]:
    """Active major incidents, latest declared first (the list page's top table)."""
    return major_list().filter(status=MajorIncidentStatus.ACTIVE).order_by("-declared_at")


def major_list_recently_resolved(*, limit: int = 50) -> QuerySet[MajorIncident]:
    """The last `limit` resolved major incidents, latest resolved first."""
    return major_list().filter(status=MajorIncidentStatus.RESOLVED).order_by("-resolved_at")[:limit]


def major_list_for_api(*, status: str | None) -> QuerySet[MajorIncident]:
    """/api/v1/major-incidents/: every major incident, or those in `status` when it is
    one of the states (anything else is ignored, as the list always did)."""
    majors = major_list()
    if status in MajorIncidentStatus.values:
        majors = majors.filter(status=status)
    return majors.order_by("-declared_at")


def major_update_list(*, major: MajorIncident) -> QuerySet[MajorIncidentUpdate]:
    """Every update posted on `major` (public and internal: the API is for desk staff)."""
    return major.updates.select_related("author")


def major_get(*, pk: int) -> MajorIncident:
    return get_object_or_404(major_list(), pk=pk)


def major_get_by_number(*, number: str) -> MajorIncident:
    return get_object_or_404(major_list(), ticket__number=number)


def major_timeline(*, major: MajorIncident) -> list[dict[str, Any]]:
    """Updates and the incident's audit events, newest first, for the major-incident page."""
    updates: list[dict[str, Any]] = [
        {"kind": "update", "at": u.created_at, "update": u}
        for u in major.updates.select_related("author")
    ]
    events = [
        {"kind": "event", "at": e.occurred_at, "event": e}
        for e in AuditEvent.objects.filter(
            record_type=ContentType.objects.get_for_model(Ticket), record_id=major.ticket_id
        )
        .exclude(action__in=["major_update_public", "major_update_internal"])
        .select_related("actor")
    ]
    return sorted(updates + events, key=lambda entry: entry["at"], reverse=True)


def major_children(*, major: MajorIncident) -> QuerySet[Ticket]:
    return major.ticket.children.select_related("requester").order_by("created_at")


def major_notified_stakeholders(*, major: MajorIncident) -> list[Notification]:
    """Who was told of the declaration and the resolution, and whether each message left
    (the outbox rows' pending / sent / failed), for the desk major-incident page."""
    return list(notification_list_for_record(record=major.ticket, events=STAKEHOLDER_EVENTS))


def major_desk_banner() -> list[dict[str, Any]]:
    """The open major incidents every desk page announces: number, title, service, latest
    update (internal ones too: only staff see the desk) and the link. One bounded query,
    cached briefly across users because it is the same for every agent."""
    # Through itsm.core.cache: a cache outage computes the banner instead of failing the page.
    return cached(DESK_BANNER_CACHE_KEY, seconds=DESK_BANNER_TTL_SECONDS, compute=_desk_banner)


def _desk_banner() -> list[dict[str, Any]]:
    latest = MajorIncidentUpdate.objects.filter(major=OuterRef("pk")).order_by("-created_at", "-id")
    majors = (
        MajorIncident.objects.filter(status=MajorIncidentStatus.ACTIVE)
        .select_related("ticket__service")
        .annotate(latest_update=Subquery(latest.values("body")[:1]))
        .order_by("-declared_at")[:BANNER_LIMIT]
    )
    return [
        {
            "number": major.ticket.number,
            "title": major.ticket.short_description,
            "services": [major.ticket.service.name] if major.ticket.service is not None else [],
            "latest_update": major.latest_update or "",
            "url": reverse("major:desk-major-detail", args=[major.pk]),
        }
        for major in majors
    ]


# The ticket page's major-incident panel shows this many of the latest updates.
PANEL_UPDATES = 3


def major_open_affecting(
    *,
    service_ids: Iterable[int | None],
    ci_ids: Iterable[int | None],
    exclude_ticket_id: int | None = None,
    upstream_of_ci: int | None = None,
) -> list[MajorIncident]:
    """The active major incidents whose incident is on one of `service_ids` or `ci_ids` (or,
    with `upstream_of_ci`, on a CI that one needs: itsm.cmdb.graph), latest declared first,
    each with its latest update (`latest_update`, `latest_update_at`).

    The one read behind "is there an outage on this?" (the ticket page's panel and the
    second-declaration check). One query over the few active ones (partial index on status);
    the walk up the CI relations is a subquery of it."""
    services = {pk for pk in service_ids if pk is not None}
    cis = {pk for pk in ci_ids if pk is not None}
    if not services and not cis and upstream_of_ci is None:
        return []
    latest = MajorIncidentUpdate.objects.filter(major=OuterRef("pk")).order_by("-created_at", "-id")
    on = Q(ticket__service_id__in=services) | Q(ticket__ci_id__in=cis)
    if upstream_of_ci is not None:
        needed = RawSQL(*graph.walk_ids_sql(start=[upstream_of_ci], direction="upstream"))
        on |= Q(ticket__ci_id__in=needed)
    majors = (
        MajorIncident.objects.filter(on, status=MajorIncidentStatus.ACTIVE)
        .select_related("ticket__service", "ticket__ci")
        .annotate(
            latest_update=Subquery(latest.values("body")[:1]),
            latest_update_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("-declared_at")
    )
    if exclude_ticket_id is not None:
        majors = majors.exclude(ticket_id=exclude_ticket_id)
    return list(majors[:BANNER_LIMIT])


def major_panel_for_ticket(*, ticket: Ticket, user: Any) -> dict[str, Any] | None:
    """The ticket page's major-incident panel (desk staff only).

    A child of a major incident shows that one: the manager's instructions to the desk and
    its latest updates (two queries). Any other open ticket shows the active major incidents
    on its own service or CI, each with "link as affected" (one query). Nothing otherwise."""
    if not user_is_staff_member(user):
        return None
    if ticket.parent_id is not None:
        major = (
            MajorIncident.objects.filter(ticket_id=ticket.parent_id)
            .select_related("ticket__service", "ticket__ci")
            .first()
        )
        if major is not None:
            updates = list(major.updates.select_related("author")[:PANEL_UPDATES])
            return {"linked": major, "updates": updates, "majors": []}
    if getattr(ticket, "is_major", False) or not ticket.is_open:
        return None
    majors = major_open_affecting(
        service_ids={ticket.service_id},
        ci_ids={ticket.ci_id},
        exclude_ticket_id=ticket.pk,
        upstream_of_ci=ticket.ci_id,
    )
    if not majors:
        return None
    return {"linked": None, "updates": [], "majors": majors}


def major_banner_list(*, user: Any) -> Sequence[MajorIncident]:
    """Active major incidents for the portal banner, each with its latest public update
    (`latest_public`), whether `user` already joined (`has_joined`) and whether to offer
    "I'm affected too" (`can_join`: not to the declarer, nor to a requester already on it,
    through the incident itself or a child). Two queries."""
    latest = MajorIncidentUpdate.objects.filter(major=OuterRef("pk"), is_public=True).order_by(
        "-created_at", "-id"
    )
    user_pk = getattr(user, "pk", None)
    majors = list(
        MajorIncident.objects.filter(status=MajorIncidentStatus.ACTIVE)
        .select_related("ticket__service")
        .annotate(
            latest_public=Subquery(latest.values("body")[:1]),
            latest_public_at=Subquery(latest.values("created_at")[:1]),
            has_joined=Count(
                "ticket__children",
                filter=Q(ticket__children__requester_id=user_pk),
            ),
        )
        .order_by("-declared_at")[:BANNER_LIMIT]
    )
    for major in majors:
        major.can_join = not major.has_joined and user_pk not in (
            major.declared_by_id,
            major.ticket.requester_id,
        )
    return majors


@dataclass(frozen=True)
class MajorIncidentFigures:
    """Major incidents declared in a period (see `major_get_figures_for_period`)."""

    declared: int
    resolved: int
    mean_duration: timedelta | None
    mean_time_to_first_update: timedelta | None


def major_get_figures_for_period(*, start: datetime, end: datetime) -> MajorIncidentFigures:
    """Of the major incidents declared in [start, end): how many, how many are resolved, the
    mean declaration-to-resolution time of those (wall clock) and the mean time from
    declaration to the first stakeholder update. Two queries."""
    declared = MajorIncident.objects.filter(declared_at__gte=start, declared_at__lt=end)
    figures = declared.aggregate(
        n=Count("id"),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        duration=Avg(F("resolved_at") - F("declared_at")),
    )
    first_update = declared.annotate(first=Min("updates__created_at")).aggregate(
        mean=Avg(F("first") - F("declared_at"))
    )["mean"]
    return MajorIncidentFigures(
        declared=figures["n"],
        resolved=figures["resolved"],
        mean_duration=figures["duration"],
        mean_time_to_first_update=first_update,
    )
