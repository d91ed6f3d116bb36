"""The agent's queue page and the new-ticket page, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets.models import SavedFilter, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_raises_a_ticket_for_a_caller_from_the_keyboard(live_server, page, agent, requester):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/")
    page.keyboard.press("n")
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket for a caller")

    # Sent empty: the page says what is missing and keeps the form.
    page.get_by_role("button", name="Raise ticket").click()
    expect(page.locator(".form-error").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket for a caller")

    # Typing part of the caller's name offers them (the lookup fills the datalist).
    page.get_by_label("Requester").press_sequentially(requester.display_name[:4])
    expect(page.locator(f'#requester-options option[value="{requester.email}"]')).to_have_count(1)
    page.get_by_label("Requester").fill(requester.email)
    page.get_by_label("Short description").fill("Printer on floor 3 jams every page")
    page.get_by_label("Impact").select_option(label="2 – Medium (a team or department)")
    page.get_by_label("Urgency").select_option(label="1 – High (work has stopped)")
    page.get_by_label("Team").select_option(label=agent.teams.first().name)
    page.get_by_role("button", name="Raise ticket").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Printer on floor 3")
    expect(page.locator(".messages")).to_contain_text("raised for")
    ticket = Ticket.objects.get(short_description="Printer on floor 3 jams every page")
    assert (ticket.requester, ticket.channel, ticket.impact, ticket.urgency) == (
        requester,
        "phone",
        2,
        1,
    )


def test_agent_filters_the_queue_saves_the_view_and_opens_it_again(
    live_server, page, agent, requester
):
    critical = make_ticket(
        requester=requester, impact=1, urgency=1, short_description="Payroll run stuck"
    )
    minor = make_ticket(requester=requester, short_description="Mouse wheel squeaks")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")
    expect(page.get_by_role("link", name=minor.number)).to_be_visible()

    # The filter bar swaps only the table and puts the filter in the address bar.
    page.locator("#ticket-filters").get_by_label("Priority").select_option(label="P1 – Critical")
    expect(page.get_by_role("link", name=minor.number)).to_have_count(0)
    expect(page.get_by_role("link", name=critical.number)).to_be_visible()

    page.get_by_label("Save this view as").fill("P1 only")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved the filter “P1 only”")
    saved = SavedFilter.objects.get(owner=agent, name="P1 only")
    assert "priority=1" in saved.query  # the filter applied in the browser, not the first load

    page.goto(live_server.url + "/desk/tickets/?queue=open")
    page.get_by_role("navigation", name="Queues").get_by_role("link", name="P1 only").click()
    expect(page.get_by_role("link", name=critical.number)).to_be_visible()
    expect(page.get_by_role("link", name=minor.number)).to_have_count(0)
