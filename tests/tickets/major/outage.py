"""An ongoing major incident on the Payroll service and a second caller on that service, for
the tests that look at a major incident from the other tickets (unit, desk and browser):
import the fixtures into the test module."""

import pytest

from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.major import services


@pytest.fixture
def payroll(db):
    return ServiceFactory(name="Payroll", criticality="critical")


@pytest.fixture
def major(requester, manager, payroll):
    ticket = make_ticket(
        requester=requester, actor=manager, short_description="Payroll is down", service=payroll
    )
    mi = services.major_incident_declare(
        ticket=ticket,
        actor=manager,
        reason="Nobody can be paid",
        manager=manager,
        communications_owner=manager,
    )
    services.major_incident_post_update(
        major=mi, actor=manager, body="Database failover in progress", is_public=True
    )
    return mi


@pytest.fixture
def caller(other_requester, agent, payroll):
    """Another caller's ticket on the same service, at the matrix's low priority."""
    return make_ticket(
        requester=other_requester,
        actor=agent,
        short_description="Cannot open my payslip",
        service=payroll,
        impact=3,
        urgency=3,
    )
