"""Suggested articles and similar tickets on the desk ticket page (issue #18): shown with no
search typed, "link" and "insert in reply" without a reload, a similar resolved ticket's
resolution note, and "mark as duplicate" with its refusals next to the button."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Ticket, TicketArticleLink

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_ticket(page, live_server, agent, ticket):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    page.evaluate("window.notReloaded = true")


def test_suggested_articles_appear_without_a_search_and_link_and_insert(
    live_server, page, agent, requester
):
    vpn = ServiceFactory(name="VPN")
    article = ArticleFactory(
        title="VPN says the certificate is not valid",
        summary="Renew the device certificate from the software centre.",
    )
    article.services.set([vpn])
    ArticleFactory(title="Clear a paper jam")
    ticket = make_ticket(
        requester=requester, short_description="VPN certificate invalid", service=vpn
    )
    open_ticket(page, live_server, agent, ticket)

    panel = page.locator("#suggested-articles")
    expect(panel).to_contain_text("VPN says the certificate is not valid")
    expect(panel).not_to_contain_text("Clear a paper jam")
    expect(panel).to_contain_text("Matches the ticket's words; on this service")
    expect(page.locator("#article-search")).to_have_value("")

    panel.get_by_role("button", name="Insert link in reply").click()
    box = page.locator("#reply-form textarea")
    expect(box).to_have_value(
        "VPN says the certificate is not valid: "
        + live_server.url
        + reverse("knowledge:portal-article-detail", args=[article.number])
    )

    panel.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#knowledge-panel .article-links")).to_contain_text(article.number)
    # Linked now: the suggestions, loaded again, leave it out.
    expect(page.locator("#suggested-articles")).to_contain_text("No article matches this ticket")
    assert TicketArticleLink.objects.filter(ticket=ticket, article=article).exists()
    assert page.evaluate("window.notReloaded") is True


def test_similar_resolved_ticket_shows_its_note_and_inserts_it(live_server, page, agent, requester):
    earlier = make_ticket(requester=requester, short_description="Teams call drops at home")
    services.ticket_transition(
        ticket=earlier,
        to_status="resolved",
        actor=agent,
        expected_version=earlier.version,
        resolution_code="solved",
        resolution_notes="Turn the VPN off during calls and use 5 GHz Wi-Fi.",
    )
    ticket = make_ticket(requester=requester, short_description="Teams call drops")
    open_ticket(page, live_server, agent, ticket)

    row = page.locator(f"#similar-{earlier.number}")
    expect(row).to_contain_text("Turn the VPN off during calls and use 5 GHz Wi-Fi.")
    expect(row).to_contain_text("Resolved")
    row.get_by_role("button", name="Insert in reply").click()
    expect(page.locator("#reply-form textarea")).to_have_value(
        "Turn the VPN off during calls and use 5 GHz Wi-Fi."
    )


def test_mark_as_duplicate_and_its_refusals(live_server, page, agent, requester):
    original = make_ticket(requester=requester, short_description="Printer jam on floor 3")
    ticket = make_ticket(requester=requester, short_description="Printer jam floor 3 again")
    open_ticket(page, live_server, agent, ticket)
    row = page.locator(f"#similar-{original.number}")
    expect(row).to_be_visible()

    # Someone else changes the ticket meanwhile: the button's version is stale.
    services.ticket_update(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=agent,
        expected_version=ticket.version,
        description="The caller rang again.",
    )
    row.get_by_role("button", name="Mark as duplicate").click()
    refusal = page.locator(f"#duplicate-of-{original.number} .refusal")
    expect(refusal).to_contain_text("changed")
    assert Ticket.objects.get(pk=ticket.pk).duplicate_of_id is None

    # Read what changed, send again: the form now carries the current version.
    row.get_by_role("button", name="Mark as duplicate").click()
    expect(page.locator(".flash")).to_contain_text(
        f"Marked as a duplicate of {original.number} and resolved."
    )
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.duplicate_of_id == original.pk and fresh.status == "resolved"
    assert page.evaluate("window.notReloaded") is True


def test_marking_a_ticket_a_duplicate_of_itself_is_refused_next_to_the_button(
    live_server, page, agent, requester
):
    original = make_ticket(requester=requester, short_description="Phone not ringing")
    ticket = make_ticket(requester=requester, short_description="Phone not ringing at desk")
    open_ticket(page, live_server, agent, ticket)
    form = page.locator(f"#duplicate-of-{original.number}")
    expect(form).to_be_visible()
    # A form that names the ticket itself (as a crafted or outdated page would).
    form.locator("input[name=duplicate_of]").evaluate(f"(input) => input.value = '{ticket.number}'")
    form.get_by_role("button", name="Mark as duplicate").click()
    expect(form.locator(".refusal")).to_contain_text("A ticket cannot duplicate itself.")
    assert Ticket.objects.get(pk=ticket.pk).status == "new"
