import pytest

from tests.factories.tickets import make_ticket
from tickets import services


def resolve(ticket, agent):
    """An agent resolves `ticket` through the real service (notes, audit and all)."""
    return services.ticket_transition(
        ticket=ticket,
        to_status="resolved",
        actor=agent,
        expected_version=None,
        resolution_code="solved",
        resolution_notes="Restarted the VPN gateway.",
    )


@pytest.fixture
def resolved_ticket(requester, agent):
    """An incident of `requester`, resolved just now by `agent`."""
    return resolve(make_ticket(requester=requester, short_description="VPN drops"), agent)
