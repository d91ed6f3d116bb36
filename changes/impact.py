"""Impact over the CMDB's relations, on the ticket page and the change page (issue #18).

Two ticket-page panels, each a fixed number of indexed queries whatever the data's size:

- "Outages upstream" (two queries): open incidents and major incidents, and changes being
  implemented now or planned within ±NEAR_TICKET_HOURS, on the CIs the ticket's CI needs
  (`itsm.cmdb.graph` upstream walk, run inside each query as a subquery): "this may be
  caused by the outage of DB-CLUSTER-2". The ticket's own CI is left out — the same-CI case
  belongs to the major-incident panel (tickets.major) and "changes near this ticket".
- "What depends on it" (one query): on an incident, the CIs and services an outage of its CI
  reaches (downstream walk).

They live here because this is the lowest app that sees tickets, major incidents and
changes; changes/apps.py registers them.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from changes.choices import CALENDAR_STATUSES, ChangeRequestStatus
from changes.models import ChangeRequest
from changes.selectors import NEAR_TICKET_HOURS, overlapping
from itsm.accounts.roles import user_is_staff_member
from itsm.cmdb import graph
from tickets.choices import OPEN_STATUSES, TicketKind
from tickets.models import Ticket

PANEL_LIMIT = 10


def _upstream_of(ci_id: int) -> RawSQL:
    return RawSQL(*graph.walk_ids_sql(start=[ci_id], direction="upstream"))


def outages_upstream(*, ticket: Ticket, limit: int = PANEL_LIMIT) -> list[Ticket]:
    """Open incidents (major ones first) on the CIs this ticket's CI needs. One query."""
    if not ticket.ci_id:
        return []
    return list(
        Ticket.objects.filter(
            kind=TicketKind.INCIDENT, status__in=OPEN_STATUSES, ci_id__in=_upstream_of(ticket.ci_id)
        )
        .exclude(pk=ticket.pk)
        .select_related("ci")
        .only("number", "short_description", "status", "priority", "is_major", "ci__name")
        .order_by("-is_major", "priority", "-created_at")[:limit]
    )


def changes_upstream(
    *, ticket: Ticket, hours: int = NEAR_TICKET_HOURS, limit: int = PANEL_LIMIT
) -> list[ChangeRequest]:
    """Changes on the CIs this ticket's CI needs that are being implemented now or whose
    window is within `hours` of now. One query."""
    if not ticket.ci_id:
        return []
    now = timezone.now()
    near = overlapping(
        ChangeRequest.objects.filter(status__in=CALENDAR_STATUSES),
        start=now - timedelta(hours=hours),
        end=now + timedelta(hours=hours),
    ).values("pk")
    return list(
        ChangeRequest.objects.filter(cis__in=_upstream_of(ticket.ci_id))
        .filter(Q(status=ChangeRequestStatus.IMPLEMENTING) | Q(pk__in=near))
        .distinct()
        .order_by("planned_start", "id")[:limit]
    )


def upstream_panel_for_ticket(*, ticket: Ticket, user: Any) -> dict[str, object] | None:
    """The "may be caused upstream" panel: staff only, on a ticket with a CI (two queries)."""
    if not ticket.ci_id or not user_is_staff_member(user):
        return None
    return {
        "outages": outages_upstream(ticket=ticket),
        "changes": changes_upstream(ticket=ticket),
        "hours": NEAR_TICKET_HOURS,
    }


def downstream_panel_for_ticket(*, ticket: Ticket, user: Any) -> dict[str, object] | None:
    """What an outage of an incident's CI reaches: staff only (one query)."""
    if not ticket.ci_id or ticket.kind != TicketKind.INCIDENT or not user_is_staff_member(user):
        return None
    return {"walk": graph.downstream(start=[ticket.ci_id]), "limit": 25}


def change_impact(*, change: ChangeRequest) -> graph.Walk:
    """The CIs and services that need the CIs this change touches (one query)."""
    return graph.downstream(start=[ci.pk for ci in change.cis.all()])


def dependent_service_count(*, change: ChangeRequest) -> int:
    """The services an outage of the change's CIs reaches, with the services the change names:
    a factor of its risk (`changes.risk`)."""
    walk = change_impact(change=change)
    return len({pk for pk, _ in walk.services} | {s.pk for s in change.services.all()})
