"""The dense desk queue in a real browser (issue #16): 20+ rows on a laptop screen without
sideways scrolling, the filter bar and column chooser remembered per agent, SLA sort with
breached first, and cards on a phone."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from itsm.accounts.models import Team
from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets.models import QueuePreference
from tickets.sla.services import sla_sweep

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROWS_IN_VIEW = """() => Array.from(document.querySelectorAll(".ticket-table tbody tr"))
  .filter((row) => { const r = row.getBoundingClientRect();
                     return r.top >= 0 && r.bottom <= window.innerHeight; }).length"""
NO_SIDEWAYS_SCROLL = (
    "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)
LONG = "Outlook keeps asking for the password after the mailbox moved to the new tenant " * 3


def _tickets(requester, agent, n):
    team = agent.teams.first()
    return [
        make_ticket(
            requester=requester,
            short_description=f"{i:02d} {LONG}"[:200],
            impact=1 + i % 3,
            urgency=1 + i % 3,
            assignment_team=team,
        )
        for i in range(n)
    ]


def test_a_laptop_screen_shows_twenty_rows_and_never_scrolls_sideways(
    live_server, page, agent, requester
):
    _tickets(requester, agent, 30)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")
    expect(page.locator(".ticket-table tbody tr")).to_have_count(30)
    assert page.evaluate(ROWS_IN_VIEW) >= 20
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # One line per row: a long subject is cut short, the whole of it is the cell's title.
    cell = page.locator(".ticket-table tbody tr").first.locator("td.col-short_description")
    assert cell.evaluate("(td) => td.scrollWidth > td.clientWidth")
    assert cell.get_attribute("title").startswith("29 Outlook")
    heights = page.locator(".ticket-table tbody tr").evaluate_all(
        "(rows) => rows.map((row) => row.getBoundingClientRect().height)"
    )
    assert max(heights) < 36
    # The filter bar is one line while "More filters" is closed.
    bar = page.locator("#ticket-filters")
    search = page.get_by_label("Search")
    toggle = page.get_by_role("button", name="More filters")
    assert abs(search.bounding_box()["y"] - toggle.bounding_box()["y"]) < 12
    assert bar.bounding_box()["height"] < 60

    # Every column chosen still does not scroll the page sideways.
    page.locator(".column-chooser summary").click()
    for label in ("Service", "Category", "Opened", "Channel"):
        page.locator(".column-chooser").get_by_label(label, exact=True).check()
    page.locator(".column-chooser").get_by_role("button", name="Apply").click()
    expect(page.locator("th.col-channel")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_agent_opens_more_filters_chooses_columns_and_finds_both_next_time(
    live_server, page, agent, requester
):
    _tickets(requester, agent, 3)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server.url, agent.email)
    # First time: My work.
    page.goto(live_server.url + "/desk/tickets/")
    expect(page).to_have_url(live_server.url + "/desk/tickets/?queue=mine")
    page.get_by_role("navigation", name="Queues").get_by_role("link", name="All open").click()

    more = page.get_by_role("button", name="More filters")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#ticket-filters").get_by_label("Channel")).to_be_hidden()
    more.press("Enter")  # from the keyboard
    expect(more).to_have_attribute("aria-expanded", "true")
    channel = page.locator("#ticket-filters").get_by_label("Channel")
    expect(channel).to_be_visible()
    channel.select_option(label="Portal")
    page.wait_for_url("**channel=portal**")
    expect(page.locator(".ticket-table tbody tr")).to_have_count(3)

    chooser = page.locator(".column-chooser")
    chooser.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(chooser.get_by_label("Requester", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")  # closes, back on its summary
    expect(chooser.get_by_label("Requester", exact=True)).to_be_hidden()
    page.keyboard.press("Enter")
    chooser.get_by_label("Requester", exact=True).uncheck()
    chooser.get_by_label("Channel", exact=True).check()
    chooser.get_by_role("button", name="Apply").click()
    expect(page.locator("th.col-channel")).to_have_text("Channel")
    expect(page.locator("th.col-requester")).to_have_count(0)
    expect(page.locator("td.col-channel").first).to_have_text("Portal")

    # Next time: the same view, the panel still open, the same columns.
    page.goto(live_server.url + "/desk/")
    page.goto(live_server.url + "/desk/tickets/")
    assert "channel=portal" in page.url
    expect(page.get_by_role("button", name="More filters (1)")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.locator("th.col-channel")).to_be_visible()
    preference = QueuePreference.objects.get(user=agent)
    assert preference.filters_open is True
    assert "requester" not in preference.columns

    # Closing the panel is remembered too.
    page.get_by_role("button", name="More filters (1)").click()
    expect(page.locator("#more-filters")).to_be_hidden()
    for _ in range(20):
        if not QueuePreference.objects.get(user=agent).filters_open:
            break
        page.wait_for_timeout(100)
    assert QueuePreference.objects.get(user=agent).filters_open is False


def test_a_remembered_view_that_no_longer_applies_says_why_and_offers_a_way_out(
    live_server, page, agent, requester
):
    gone = Team.objects.create(name="Retired team")
    QueuePreference.objects.create(user=agent, last_query=f"queue=open&team={gone.pk}")
    gone.delete()
    make_ticket(requester=requester, short_description="Still here")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This filter cannot be applied.")
    expect(alert).to_contain_text("Team:")
    alert.get_by_role("link", name="Clear the filters").click()
    expect(page.get_by_role("link", name="Still here")).to_have_count(0)  # subject is no link
    expect(page.locator(".ticket-table tbody tr")).to_have_count(1)
    page.goto(live_server.url + "/desk/tickets/")
    assert page.url.endswith("/desk/tickets/?queue=open")


def test_sorting_by_sla_puts_breached_first_and_the_header_says_so(
    live_server, page, agent, requester
):
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        breached = make_ticket(requester=requester, impact=1, urgency=1, short_description="Old")
    sla_sweep()
    later = make_ticket(requester=requester, short_description="Low")
    soon = make_ticket(requester=requester, impact=1, urgency=1, short_description="High")
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")
    header = page.locator("th.col-sla")
    expect(header).to_have_attribute("aria-sort", "none")
    header.get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "ascending")
    numbers = page.locator(".ticket-table tbody td.col-number").all_inner_texts()
    assert numbers == [breached.number, soon.number, later.number]
    expect(page.locator("tbody tr").first.locator(".sla-badge").first).to_have_attribute(
        "data-sla-state", "breached"
    )
    page.locator("th.col-sla a").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    numbers = page.locator(".ticket-table tbody td.col-number").all_inner_texts()
    assert numbers == [later.number, soon.number, breached.number]


def test_a_phone_shows_the_queue_as_cards_without_sideways_scrolling(
    live_server, page, agent, requester
):
    tickets = _tickets(requester, agent, 4)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")
    rows = page.locator(".ticket-table tbody tr")
    expect(rows).to_have_count(4)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    card = rows.first
    assert card.evaluate("(tr) => getComputedStyle(tr).display") == "block"
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The subject wraps on a card instead of being cut; labels name the other values.
    expect(card.locator("td.col-short_description")).to_contain_text("Outlook keeps asking")
    status = card.locator("td.col-status")
    assert "Status" in status.evaluate("(td) => getComputedStyle(td, '::before').content")
    card.get_by_role("link", name=tickets[-1].number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outlook")
