import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_triages_replies_notes_and_resolves_an_incident(live_server, page, agent, requester):
    ticket = make_ticket(
        requester=requester, short_description="Outlook keeps asking for a password"
    )
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server.url, agent.email)

    page.goto(live_server.url + "/desk/tickets/?queue=open")
    page.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outlook keeps asking")

    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#ticket-assignee")).to_have_text(agent.display_name)

    page.get_by_label("Message").fill("Please restart Outlook and tell me if it still asks.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".comment-public").first).to_contain_text("Please restart Outlook")

    page.get_by_label("Work note (agents only)").check()
    page.get_by_label("Message").fill("Probably the expired token bug.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".comment-internal")).to_contain_text("expired token")

    page.locator("#id_to_status").select_option("resolved")
    page.get_by_label("Resolution code").select_option("solved")
    page.get_by_label("Resolution notes").fill("Cleared the cached credentials.")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#ticket-status")).to_have_text("Resolved")
    assert dialogs == []

    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.comments.filter(is_public=False).count() == 1


def test_script_in_a_description_is_never_executed(live_server, page, agent, requester):
    ticket = make_ticket(
        requester=requester,
        short_description="<img src=x onerror=alert(1)>",
        description="<script>alert(2)</script>",
    )
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<img src=x onerror=alert(1)>")
    page.goto(live_server.url + "/desk/tickets/?queue=open")
    expect(page.get_by_role("link", name=ticket.number)).to_be_visible()
    assert dialogs == []
