"""Reads of change management, each shaped for its page or endpoint.

Planned windows are half-open [start, end): a change ending at 02:00 and one starting at
02:00 do not conflict. Overlap queries use `tstzrange(start, end, '[)') && tstzrange(a, b)`,
the exact expression the GiST indexes are built on, so they stay fast at 50k changes.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib.postgres.fields import DateTimeRangeField
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Count, Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from changes.choices import (
    ACTIVE_STATUSES,
    CALENDAR_STATUSES,
    SUCCESS_OUTCOMES,
    CabDecision,
    ChangeRequestStatus,
    ChangeType,
)
from changes.models import (
    BlackoutWindow,
    CabApproval,
    CabMember,
    CalendarFeedToken,
    ChangeIncidentLink,
    ChangeRequest,
    window_range,
)
from itsm.accounts.models import Team, User
from itsm.accounts.roles import Role, user_is_staff_member
from itsm.cmdb.models import Service
from tickets.models import Ticket

LIST_RELATED = ("assignment_team", "implementer", "requested_by")
NEAR_TICKET_HOURS = 72
PORTAL_MAINTENANCE_DAYS = 7


def _range(start: datetime, end: datetime) -> DateTimeTZRange:
    return DateTimeTZRange(start, end, "[)")


def overlapping[M: Model](
    qs: QuerySet[M],
    *,
    start: datetime,
    end: datetime,
    fields: tuple[str, str] = ("planned_start", "planned_end"),
) -> QuerySet[M]:
    """Rows of `qs` whose [start_field, end_field) window overlaps [start, end)."""
    start_field, end_field = fields
    expression = window_range(start_field, end_field)
    expression.output_field = DateTimeRangeField()
    windowed = (
        qs.filter(**{f"{start_field}__isnull": False, f"{end_field}__isnull": False})
        .alias(_window=expression)
        .filter(_window__overlap=_range(start, end))
    )
    # django-stubs forgets the model of a generic queryset through alias(); the rows are M's.
    return cast("QuerySet[M]", windowed)


# --- Lists and detail ---


def change_list_visible(*, user: Any) -> QuerySet[ChangeRequest]:
    """Changes the user may see: every desk staff member sees every change; nobody else any."""
    if not user_is_staff_member(user):
        return ChangeRequest.objects.none()
    return ChangeRequest.objects.all()


def change_list_for_desk(*, user: Any) -> QuerySet[ChangeRequest]:
    """The desk's change list and the API list: what a row shows, joined or prefetched."""
    return (
        change_list_visible(user=user)
        .select_related(*LIST_RELATED)
        .prefetch_related("services")
        .annotate(caused_incident_count=Count("incident_links", distinct=True))
    )


def change_list_for_api(*, user: Any) -> QuerySet[ChangeRequest]:
    """/api/v1/changes/: the changes `user` may see with what the serializer reads."""
    return (
        change_list_visible(user=user)
        .select_related(*LIST_RELATED, "template", "problem")
        .prefetch_related(
            "services",
            "cis",
            "caused_incidents",
            Prefetch("approvals", queryset=CabApproval.objects.select_related("approver")),
        )
    )


def change_get_for_user(*, user: Any, number: str) -> ChangeRequest:
    """One change by number with everything its page shows, or 404."""
    change = (
        change_list_visible(user=user)
        .select_related(*LIST_RELATED, "template", "problem")
        .prefetch_related(
            "services",
            "cis",
            Prefetch("approvals", queryset=CabApproval.objects.select_related("approver")),
            Prefetch(
                "incident_links",
                queryset=ChangeIncidentLink.objects.select_related("incident", "linked_by"),
            ),
        )
        .filter(number=number.upper())
        .first()
    )
    if change is None:
        raise Http404("No such change.")
    return change


# --- Conflicts ---


@dataclass
class Conflicts:
    overlaps: list[ChangeRequest] = field(default_factory=list)
    blackouts: list[BlackoutWindow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overlaps or self.blackouts)


def blackout_list_overlapping(
    *, start: datetime, end: datetime, service_ids: list[int] | None
) -> list[BlackoutWindow]:
    """Blackout windows overlapping [start, end) for any of the services (or for every service:
    a blackout without services applies to all). `service_ids=None`: every blackout."""
    qs = overlapping(
        BlackoutWindow.objects.all(), start=start, end=end, fields=("starts_at", "ends_at")
    )
    if service_ids is not None:
        qs = qs.filter(Q(services__isnull=True) | Q(services__in=service_ids))
    return list(qs.distinct().order_by("starts_at"))


def change_list_overlapping(
    *, change: ChangeRequest, service_ids: list[int], ci_ids: list[int]
) -> list[ChangeRequest]:
    """Other live changes whose planned window overlaps this one on a shared service or CI."""
    start, end = change.planned_start, change.planned_end
    if start is None or end is None or not (service_ids or ci_ids):
        return []
    qs = overlapping(
        ChangeRequest.objects.filter(status__in=ACTIVE_STATUSES).exclude(pk=change.pk),
        start=start,
        end=end,
    )
    ids = (
        set(qs.filter(services__in=service_ids).values_list("id", flat=True))
        if service_ids
        else set()
    )
    if ci_ids:
        ids |= set(qs.filter(cis__in=ci_ids).values_list("id", flat=True))
    return list(ChangeRequest.objects.filter(id__in=ids).order_by("planned_start", "id"))


def change_conflicts(*, change: ChangeRequest) -> Conflicts:
    """Overlapping changes on the same service/CI and blackout windows, shown as warnings."""
    start, end = change.planned_start, change.planned_end
    if start is None or end is None:
        return Conflicts()
    service_ids = [s.pk for s in change.services.all()]
    ci_ids = [c.pk for c in change.cis.all()]
    return Conflicts(
        overlaps=change_list_overlapping(change=change, service_ids=service_ids, ci_ids=ci_ids),
        blackouts=blackout_list_overlapping(start=start, end=end, service_ids=service_ids),
    )


# --- CAB ---


def cab_approvers_for(*, change: ChangeRequest, service_ids: list[int]) -> list[User]:
    """Who votes on the change: CAB members for its services (members without services sit
    for every service); for an emergency change, the emergency CAB. Without any CabMember
    rows: everyone holding the CAB member role."""
    members = CabMember.objects.filter(user__is_active=True).select_related("user")
    if members.exists():
        if change.is_emergency:
            members = members.filter(is_emergency=True)
        else:
            members = members.filter(Q(services__isnull=True) | Q(services__in=service_ids))
        users = [m.user for m in members.distinct()]
    else:
        users = list(User.objects.filter(is_active=True, groups__name=Role.CAB_MEMBER).distinct())
    return sorted(users, key=lambda u: u.pk)


def cab_agenda(*, user: Any) -> list[tuple[ChangeRequest, Conflicts]]:
    """Changes awaiting a CAB decision, soonest window first, each with its conflicts.

    The agenda is short (what the next meeting decides), so conflicts are looked up per change.
    """
    changes = list(
        change_list_visible(user=user)
        .filter(status=ChangeRequestStatus.CAB)
        .filter(Q(cab_decision=CabDecision.PENDING) | Q(cab_decision=""))
        .select_related(*LIST_RELATED)
        .prefetch_related(
            "services",
            "cis",
            Prefetch("approvals", queryset=CabApproval.objects.select_related("approver")),
        )
        .order_by("planned_start", "id")
    )
    return [(change, change_conflicts(change=change)) for change in changes]


# --- Calendar ---


def change_list_for_calendar(
    *,
    user: Any,
    start: datetime,
    end: datetime,
    service_id: int | None = None,
    team_id: int | None = None,
    as_rows: bool = False,
) -> tuple[list[Any], list[BlackoutWindow]]:
    """Changes with a window overlapping [start, end) (forward schedule of change) and the
    blackout windows in it, for the month/week/list views and the iCal feed.

    `as_rows`: named tuples instead of model instances — the month grid shows hundreds of
    changes and needs only a few columns; building models was a third of its time at 50k."""
    qs = overlapping(
        change_list_visible(user=user).filter(status__in=CALENDAR_STATUSES), start=start, end=end
    )
    if service_id:
        qs = qs.filter(services=service_id)
    if team_id:
        qs = qs.filter(assignment_team=team_id)
    columns = (
        "id",
        "number",
        "title",
        "status",
        "change_type",
        "planned_start",
        "planned_end",
        "risk_assessed_level",
        "risk_override_level",
    )
    qs = qs.order_by("planned_start", "id")
    changes = list(qs.values_list(*columns, named=True) if as_rows else qs.only(*columns))
    blackouts = blackout_list_overlapping(
        start=start, end=end, service_ids=[service_id] if service_id else None
    )
    return changes, blackouts


def service_list_for_calendar_filter() -> QuerySet[Service]:
    """The calendar's service filter: active services, id and name only (lazy: the
    template reads it)."""
    return Service.objects.filter(is_active=True).only("id", "name")


def team_list_for_calendar_filter() -> QuerySet[Team]:
    """The calendar's team filter: every team, id and name only (lazy: the template reads it)."""
    return Team.objects.only("id", "name")


def calendar_token_get_user(*, secret: str) -> User | None:
    """The active desk user whose calendar feed token `secret` is, or None."""
    if not secret:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=CalendarFeedToken.hash_key(secret))
        .first()
    )
    if token is None or not token.user.is_active or not user_is_staff_member(token.user):
        return None
    return token.user


def calendar_token_get(*, user: Any) -> CalendarFeedToken | None:
    """The user's calendar feed token (its hash and date; the secret is never kept)."""
    return CalendarFeedToken.objects.filter(user=user).only("id", "created_at").first()


# --- Service desk views ---


def changes_near_ticket(*, ticket: Ticket, hours: int = NEAR_TICKET_HOURS) -> list[ChangeRequest]:
    """Changes on the ticket's service or CI with a window within `hours` before or after now:
    "was this caused by last night's change?"."""
    if not ticket.service_id and not ticket.ci_id:
        return []
    now = timezone.now()
    qs = overlapping(
        ChangeRequest.objects.filter(status__in=CALENDAR_STATUSES),
        start=now - timedelta(hours=hours),
        end=now + timedelta(hours=hours),
    )
    match = Q()
    if ticket.service_id:
        match |= Q(services=ticket.service_id)
    if ticket.ci_id:
        match |= Q(cis=ticket.ci_id)
    linked = ChangeIncidentLink.objects.filter(change=OuterRef("pk"), incident=ticket.pk)
    # One query: the M2M joins can repeat a change, hence distinct (the Exists is per row).
    return list(
        qs.filter(match)
        .annotate(is_linked=Exists(linked))
        .distinct()
        .order_by("planned_start", "id")
    )


def change_panel_for_ticket(*, ticket: Ticket, user: Any) -> dict[str, object] | None:
    """The ticket page's "changes near this ticket" panel, for staff only (two queries)."""
    if not user_is_staff_member(user):
        return None
    return {
        "changes": changes_near_ticket(ticket=ticket),
        "hours": NEAR_TICKET_HOURS,
        "is_incident": ticket.kind == "incident",
    }


@dataclass(frozen=True)
class MaintenanceWindow:
    """A change's planned window as requesters may see it: public-safe fields only."""

    number: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    services: tuple[str, ...]


def change_list_planned_maintenance(*, limit: int) -> list[MaintenanceWindow]:
    """Scheduled or implementing changes that affect at least one service and whose window
    overlaps the next PORTAL_MAINTENANCE_DAYS, soonest first, at most `limit` (the portal's
    planned-maintenance banner). Two queries: the changes, then their services."""
    now = timezone.now()
    affects_a_service = Exists(
        ChangeRequest.services.through.objects.filter(changerequest=OuterRef("pk"))
    )
    changes = (
        overlapping(
            ChangeRequest.objects.filter(
                affects_a_service,
                status__in=(ChangeRequestStatus.SCHEDULED, ChangeRequestStatus.IMPLEMENTING),
            ),
            start=now,
            end=now + timedelta(days=PORTAL_MAINTENANCE_DAYS),
        )
        .prefetch_related("services")
        .order_by("planned_start", "id")[:limit]
    )
    return [
        MaintenanceWindow(
            number=change.number,
            # Never the internal title: requesters read the change's public wording.
            title=change.public_title or "Scheduled work",
            starts_at=change.planned_start,
            ends_at=change.planned_end,
            services=tuple(s.name for s in change.services.all()),
        )
        for change in changes
    ]


def change_success_rate(*, since: datetime | None = None) -> dict[str, int | float | None]:
    """Closed changes, how many succeeded, and the rate. A change counts as successful when
    its review outcome was successful (with or without issues) and it caused no incident."""
    closed = ChangeRequest.objects.filter(status=ChangeRequestStatus.CLOSED)
    if since is not None:
        closed = closed.filter(closed_at__gte=since)
    totals = closed.aggregate(
        total=Count("id", distinct=True),
        successful=Count(
            "id",
            distinct=True,
            filter=Q(review_outcome__in=SUCCESS_OUTCOMES, incident_links__isnull=True),
        ),
    )
    total, successful = totals["total"], totals["successful"]
    return {
        "total": total,
        "successful": successful,
        "rate": round(100 * successful / total, 1) if total else None,
    }


def change_list_due_notice(*, lead: timedelta) -> QuerySet[ChangeRequest]:
    """Scheduled changes starting within `lead` whose "starting" notice was not sent yet."""
    now = timezone.now()
    return ChangeRequest.objects.filter(
        status=ChangeRequestStatus.SCHEDULED,
        planned_start__gt=now,
        planned_start__lte=now + lead,
    ).exclude(notices__kind="starting")


@dataclass(frozen=True)
class ChangeFigures:
    """Counts behind the change-management figure (see `change_get_figures_for_period`)."""

    raised: int
    emergency: int
    reviewed: int
    successful: int
    causing_incidents: int
    awaiting_cab: int
    starting_soon: int


def change_get_figures_for_period(
    *, start: datetime, end: datetime, horizon: timedelta
) -> ChangeFigures:
    """Changes raised in [start, end) and how many were emergencies; changes whose review was
    recorded in the period, how many succeeded (with or without issues) and how many an agent
    linked an incident to; changes awaiting the CAB now and those planned to start within
    `horizon`. Two queries."""
    in_period = Q(created_at__gte=start, created_at__lt=end)
    reviewed = Q(reviewed_at__gte=start, reviewed_at__lt=end) & ~Q(review_outcome="")
    now = timezone.now()
    figures = ChangeRequest.objects.aggregate(
        raised=Count("id", filter=in_period),
        emergency=Count("id", filter=in_period & Q(change_type=ChangeType.EMERGENCY)),
        reviewed=Count("id", filter=reviewed),
        successful=Count("id", filter=reviewed & Q(review_outcome__in=SUCCESS_OUTCOMES)),
        awaiting_cab=Count("id", filter=Q(status=ChangeRequestStatus.CAB)),
        starting_soon=Count(
            "id",
            filter=Q(
                status__in=(ChangeRequestStatus.SCHEDULED, ChangeRequestStatus.CAB),
                planned_start__gte=now,
                planned_start__lt=now + horizon,
            ),
        ),
    )
    causing = (
        ChangeRequest.objects.filter(reviewed)
        .filter(Exists(ChangeIncidentLink.objects.filter(change=OuterRef("pk"))))
        .count()
    )
    return ChangeFigures(causing_incidents=causing, **figures)


def change_list_in_progress_today(*, user: Any, limit: int) -> list[ChangeRequest]:
    """The desk home's "changes in progress today": changes being implemented, and scheduled
    ones whose planned window overlaps today (the local day), earliest start first. One
    query through the window's GiST index and the (status, planned_start) index."""
    tz = timezone.get_current_timezone()
    start = timezone.localtime(timezone.now(), tz).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    end = start + timedelta(days=1)
    visible = change_list_visible(user=user)
    today = overlapping(
        visible.filter(status=ChangeRequestStatus.SCHEDULED), start=start, end=end
    ).values("pk")
    return list(
        visible.filter(Q(status=ChangeRequestStatus.IMPLEMENTING) | Q(pk__in=today))
        .select_related("implementer")
        .only(
            "number",
            "title",
            "status",
            "planned_start",
            "planned_end",
            "implementer__display_name",
            "implementer__email",
        )
        .order_by("planned_start", "id")[:limit]
    )
