"""The ticket page's "requester's history" panel: who is calling (organisation unit, VIP)
and their other open and recently closed tickets with the satisfaction answers they gave."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from itsm.accounts.models import User
from itsm.accounts.roles import user_is_staff_member
from tickets.choices import OPEN_STATUSES, TicketStatus
from tickets.models import Ticket

# How many open, and how many closed, tickets the panel lists ("see all" opens the rest).
HISTORY_LIMIT = 5
_DONE_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED)
_ROW = (
    "number",
    "short_description",
    "status",
    "priority",
    "created_at",
    "survey__rating",
    "survey__comment",
)


def requester_history_for_ticket(*, ticket: Ticket, user: Any) -> dict[str, Any] | None:
    """The requester's other tickets, for desk staff. Two queries: the requester's row, then
    their latest open and latest closed tickets in one UNION ALL of two bounded reads of the
    (requester, -created_at) index, each with its survey answer (a one-to-one join)."""
    if not user_is_staff_member(user):
        return None
    requester = (
        User.objects.filter(pk=ticket.requester_id)
        .only("pk", "email", "display_name", "organisation_unit", "is_vip")
        .first()
    )
    if requester is None:
        return None
    mine = Ticket.objects.filter(requester_id=requester.pk).exclude(pk=ticket.pk)
    open_rows = mine.filter(status__in=OPEN_STATUSES).order_by("-created_at")
    done_rows = mine.filter(status__in=_DONE_STATUSES).order_by("-created_at")
    rows = list(
        open_rows.values(*_ROW)[:HISTORY_LIMIT].union(
            done_rows.values(*_ROW)[:HISTORY_LIMIT], all=True
        )
    )
    for row in rows:
        row["url"] = reverse("tickets:desk-ticket-detail", args=[row["number"]])
        row["status_label"] = TicketStatus(row["status"]).label
    opened = [row for row in rows if row["status"] in OPEN_STATUSES]
    closed = [row for row in rows if row["status"] not in OPEN_STATUSES]
    return {
        "requester": requester,
        "open": sorted(opened, key=lambda row: row["created_at"], reverse=True),
        "closed": sorted(closed, key=lambda row: row["created_at"], reverse=True),
        "see_all_url": f"{reverse('tickets:desk-ticket-queue')}?"
        + urlencode({"requester": requester.email}),
    }
