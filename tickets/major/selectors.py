"""Reads for the major-incident pages, the API and the portal banner."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from itsm.audit.models import AuditEvent
from tickets.major.models import MajorIncident, MajorIncidentStatus, MajorIncidentUpdate
from tickets.models import Ticket


def major_list() -> QuerySet[MajorIncident]:
    """Every major incident with what the list and the API show, in one query."""
    return MajorIncident.objects.select_related(
        "ticket__service", "ticket__ci", "manager", "communications_owner", "declared_by"
    ).annotate(child_count=Count("ticket__children", distinct=True))


def major_get(*, pk: int) -> MajorIncident:
    return get_object_or_404(major_list(), pk=pk)


def major_get_by_number(*, number: str) -> MajorIncident:
    return get_object_or_404(major_list(), ticket__number=number)


def major_timeline(*, major: MajorIncident) -> list[dict]:
    """Updates and the incident's audit events, newest first, for the major-incident page."""
    updates = [
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


def major_banner_list(*, user) -> list[MajorIncident]:
    """Active major incidents for the portal banner, each with its latest public update
    (`latest_public`) and whether `user` already joined (`has_joined`). Two queries."""
    latest = MajorIncidentUpdate.objects.filter(major=OuterRef("pk"), is_public=True).order_by(
        "-created_at", "-id"
    )
    return list(
        MajorIncident.objects.filter(status=MajorIncidentStatus.ACTIVE)
        .select_related("ticket__service")
        .annotate(
            latest_public=Subquery(latest.values("body")[:1]),
            latest_public_at=Subquery(latest.values("created_at")[:1]),
            has_joined=Count(
                "ticket__children",
                filter=Q(ticket__children__requester_id=getattr(user, "pk", None)),
            ),
        )
        .order_by("-declared_at")[:5]
    )
