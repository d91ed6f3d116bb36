"""The desk's ticket page on a phone (390×844): an agent reads, replies, assigns and changes
the status without scrolling sideways."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right + window.scrollX > document.documentElement.clientWidth + 1)
        .slice(-5).map(e => `${e.tagName}.${e.className}#${e.id}`)"""
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}, {wide}"


def test_agent_works_a_ticket_on_a_phone(live_server, page, agent, requester):
    ticket = make_ticket(
        requester=requester,
        short_description="Laptop docking station shows no picture on the second screen",
        description="Since the update the left screen stays black. " * 12,
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("docking station")
    expect(page.locator("#ticket-panels")).not_to_have_attribute("hx-get", "")
    _no_sideways_scroll(page)

    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#ticket-assignee")).to_have_text(agent.display_name)
    _no_sideways_scroll(page)

    page.get_by_label("Message").fill("Please try the other USB-C port and tell me.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".comment-public").first).to_contain_text("other USB-C port")
    _no_sideways_scroll(page)

    # Resolving without a code is refused next to the form, and what was typed stays.
    page.locator("#id_to_status").select_option("resolved")
    page.get_by_label("Resolution notes").fill("Replaced the dock.")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#transition-form .form-error").first).to_be_visible()
    expect(page.get_by_label("Resolution notes")).to_have_value("Replaced the dock.")
    _no_sideways_scroll(page)

    page.get_by_label("Resolution code").select_option("solved")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#ticket-status")).to_have_text("Resolved")
    _no_sideways_scroll(page)
