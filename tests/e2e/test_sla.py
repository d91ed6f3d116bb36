from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets.sla.services import sla_sweep

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_sees_the_sla_count_down_and_a_breached_ticket(live_server, page, agent, requester):
    fresh = make_ticket(
        requester=requester, impact=1, urgency=1, short_description="Payroll run stuck"
    )
    with time_machine.travel(timezone.now() - timedelta(hours=6), tick=False):
        late = make_ticket(
            requester=requester, impact=1, urgency=1, short_description="Mail queue full"
        )
    sla_sweep()

    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=breaching")
    fresh_row = page.locator("tr", has_text=fresh.number)
    expect(fresh_row.locator(".sla-left").first).to_contain_text("in ")
    late_row = page.locator("tr", has_text=late.number)
    expect(late_row.locator('[data-sla-state="breached"]').first).to_be_visible()

    page.goto(live_server.url + f"/desk/tickets/{fresh.number}/")
    expect(page.locator("#sla-badges")).to_contain_text("left")
