"""When an agent last looked at a ticket (the desk home's "requester replied" panel)."""

from typing import Any

from django.utils import timezone

from itsm.accounts.roles import user_is_staff_member
from tickets.models import Ticket, TicketSeen


def ticket_mark_seen(*, ticket: Ticket, user: Any) -> None:
    """Record that `user` has just opened `ticket`'s desk page.

    One statement (INSERT … ON CONFLICT DO UPDATE on the user+ticket key), so it needs no
    transaction of its own and two tabs opening the page at once cannot collide. The caller
    has read `ticket` through a selector that checked the user may see it; only desk staff
    get a marker (requesters have no desk home). Not audited: it records a visit, it changes
    nothing on the ticket.
    """
    if not user_is_staff_member(user):
        return
    TicketSeen.objects.bulk_create(
        [TicketSeen(user=user, ticket=ticket, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["seen_at"],
    )
