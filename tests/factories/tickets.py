from tickets import services
from tickets.choices import TicketKind


def make_ticket(*, requester, actor=None, kind=TicketKind.INCIDENT, **fields):
    """A ticket raised through the real service (numbers, audit, notifications and all)."""
    fields.setdefault("short_description", "Cannot connect to the VPN")
    return services.ticket_create(
        actor=actor or requester, requester=requester, kind=kind, **fields
    )
