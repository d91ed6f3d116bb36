"""When an agent last looked at a ticket (the desk home's "requester replied" panel)."""

from typing import Any

from django.db import connection
from django.utils import timezone

from itsm.accounts.roles import user_is_staff_member
from tickets.models import Ticket, TicketSeen


def ticket_mark_seen(*, ticket: Ticket, user: Any) -> None:
    """Record that `user` has just opened `ticket`'s desk page.

    The marker only answers "has a public reply come since the agent looked?", so it is
    written only when it would change that answer: never for a ticket with no public
    activity (a missing marker and an old one say the same), and otherwise only when the
    activity is newer than the marker. One statement (INSERT … ON CONFLICT DO UPDATE … WHERE
    on the user+ticket key), so it needs no transaction of its own and two tabs opening the
    page at once cannot collide; an unchanged marker writes no row. The caller has read
    `ticket` through a selector that checked the user may see it; only desk staff get a
    marker (requesters have no desk home). Not audited: it records a visit, it changes
    nothing on the ticket.
    """
    activity = ticket.last_public_activity_at
    if activity is None or not user_is_staff_member(user):
        return
    table = TicketSeen._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, ticket_id, seen_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (user_id, ticket_id) DO UPDATE SET seen_at = EXCLUDED.seen_at "
            f"WHERE {table}.seen_at < %s",
            [user.pk, ticket.pk, timezone.now(), activity],
        )
