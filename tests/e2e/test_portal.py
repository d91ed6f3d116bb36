"""The requester's portal journey in a real browser, and the portal on a phone-sized screen."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from itsm.portal.models import Deflection
from tests.e2e.test_sign_in import sign_in
from tests.factories.catalog import make_catalog_item
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import SatisfactionSurvey, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def test_a_requester_is_deflected_then_reports_gets_an_answer_and_rates_it(
    live_server, page, requester, agent
):
    article = ArticleFactory(
        title="Outlook keeps asking for my password",
        summary="Remove the old saved Outlook password from Credential Manager.",
        body="Open **Credential Manager**, remove every Outlook entry, restart Outlook.",
    )
    make_catalog_item(name="Outlook shared mailbox", category="Email")
    sign_in(page, live_server.url, requester.email)
    expect(page).to_have_url(live_server.url + "/portal/")

    # Search from the home page: both kinds of answer on one page.
    page.get_by_label("Search articles and the catalog").fill("outlook")
    page.get_by_role("button", name="Search", exact=True).click()
    articles = page.locator("#article-results")
    expect(articles.get_by_role("link", name=article.title)).to_be_visible()
    expect(page.locator("#catalog-results")).to_contain_text("Outlook shared mailbox")

    # Report an incident: a suggestion appears while typing, and it solves the problem.
    page.get_by_role("link", name="Report an incident").first.click()
    page.get_by_label("What is wrong?").press_sequentially("Outlook password prompt", delay=20)
    suggestion = page.locator("#suggestions")
    expect(suggestion).to_contain_text(article.title)
    suggestion.get_by_role("button", name=re.compile("This solved it")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glad that solved it")
    deflection = Deflection.objects.get()
    assert (deflection.article_id, deflection.query) == (article.pk, "Outlook password prompt")
    assert Ticket.objects.count() == 0

    # Another problem, which no article solves: it becomes a ticket.
    page.get_by_role("link", name="Report an incident").first.click()
    page.get_by_label("What is wrong?").fill("The printer on floor 3 is jammed")
    page.get_by_label("Details").fill("Paper stuck in tray 2 since this morning.")
    page.get_by_label("Screenshots or files").set_input_files(
        files=[{"name": "tray-2.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}]
    )
    page.get_by_role("button", name="Send to the service desk").click()
    ticket = Ticket.objects.get()
    expect(page).to_have_url(f"{live_server.url}/portal/tickets/{ticket.number}/")
    expect(page.get_by_role("status")).to_contain_text(f"we received {ticket.number}")
    expect(page.locator("#report-attachments")).to_contain_text("tray-2.png")
    assert ticket.attachments.get().original_name == "tray-2.png"

    page.get_by_label("Message").fill("It is the big printer next to the kitchen.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply was added.")
    expect(page.locator(".conversation")).to_contain_text("next to the kitchen")

    # The agent answers and resolves (through the services, as the desk pages would).
    services.comment_add(
        ticket=ticket, author=agent, body="We cleared the jam in tray 2.", is_public=True
    )
    services.ticket_transition(
        ticket=ticket,
        to_status="resolved",
        actor=agent,
        expected_version=None,
        resolution_code="solved",
        resolution_notes="Removed the stuck paper and tested a print.",
    )

    page.reload()
    expect(page.locator("#ticket-status")).to_have_text("Resolved")
    expect(page.locator(".conversation")).to_contain_text("We cleared the jam in tray 2.")
    # Exactly one way back in, and one way to agree it is fixed.
    expect(page.get_by_role("button", name=re.compile("reopen", re.IGNORECASE))).to_have_count(1)
    expect(page.get_by_role("button", name="This did not fix it — reopen")).to_be_visible()
    page.get_by_role("button", name="Accept the solution").click()
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.get_by_role("status").first).to_contain_text("How did we do?")
    expect(page.get_by_role("button", name=re.compile("reopen", re.IGNORECASE))).to_have_count(0)
    page.get_by_label("Comment (optional)").fill("Fast, thank you!")
    page.get_by_role("button", name="Rate 4 out of 5").click()
    expect(page.locator("#survey-answer")).to_contain_text("4 out of 5")
    expect(page.locator("#survey-answer")).to_contain_text("Fast, thank you!")
    survey = SatisfactionSurvey.objects.get(ticket=ticket)
    assert (survey.rating, survey.comment, survey.respondent_id) == (
        4,
        "Fast, thank you!",
        requester.pk,
    )


def test_the_portal_fits_a_phone_screen_and_starts_with_a_skip_link(live_server, page, requester):
    for n in range(6):
        ArticleFactory(
            title=f"A rather long article title about configuring things number {n}",
            view_count=n,
        )
    make_catalog_item(name="New laptop", category="Hardware")
    make_catalog_item(name="Conference room booking", category="Facilities")
    ticket = make_ticket(
        requester=requester,
        short_description="A long subject line that should wrap nicely on a narrow screen",
    )
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server.url, requester.email)
    expect(page).to_have_url(live_server.url + "/portal/")
    page.wait_for_load_state("load")

    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "portal-home-375.png"), full_page=True)
    for path in (
        "/portal/",
        "/portal/search/?q=laptop",
        "/portal/tickets/report/",
        f"/portal/tickets/{ticket.number}/",
        "/portal/tickets/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"

    page.goto(live_server.url + "/portal/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Help Center")
