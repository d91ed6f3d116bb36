"""A refused action shows the server's own message next to the control, and nothing typed is
lost: the agent journeys behind itsm/core/refusals.py and static/js/app.js."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_assigning_another_teams_ticket_to_myself_is_explained_next_to_the_button(
    live_server, page, agent, requester, other_team
):
    ticket = make_ticket(requester=requester, assignment_team=other_team)
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")

    page.get_by_role("button", name="Assign to me").click()

    refusal = page.locator("#assign-to-me-form .refusal")
    expect(refusal).to_contain_text(f"{agent.display_name} is not a member of Network.")
    expect(page.locator("#ticket-assignee")).to_have_text("Unassigned")
    expect(page.get_by_text("Reload the page")).to_have_count(0)


def test_resolving_without_a_code_says_so_next_to_the_status_form_and_keeps_the_notes(
    live_server, page, agent, requester
):
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")

    page.locator("#id_to_status").select_option("resolved")
    page.get_by_label("Resolution notes").fill("Cleared the cached credentials.")
    page.get_by_role("button", name="Update status").click()

    expect(page.locator("#transition-form .refusal")).to_contain_text(
        "Please give a resolution code"
    )
    expect(page.get_by_label("Resolution notes")).to_have_value("Cleared the cached credentials.")
    expect(page.locator("#id_to_status")).to_have_value("resolved")

    page.get_by_label("Resolution code").select_option("solved")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#ticket-status")).to_have_text("Resolved")


def test_a_reply_written_while_another_agent_acted_shows_what_changed_and_is_kept(
    live_server, browser, page, agent, manager, requester, service_desk_team
):
    ticket = make_ticket(requester=requester, short_description="Laptop will not dock")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    page.get_by_label("Message").fill("I am sending a new dock today.")

    # Meanwhile the manager opens the same ticket in their own browser and takes it.
    other = browser.new_context()
    manager_page = other.new_page()
    sign_in(manager_page, live_server.url, manager.email)
    manager_page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    manager_page.get_by_role("button", name="Assign to me").click()
    expect(manager_page.locator("#ticket-assignee")).to_have_text(manager.display_name)
    other.close()

    page.get_by_role("button", name="Send").click()

    refusal = page.locator("#reply-form .refusal")
    expect(refusal).to_contain_text("was changed by someone else since you opened it")
    expect(refusal).to_contain_text("What changed since you opened it")
    expect(refusal).to_contain_text(manager.display_name)
    expect(refusal).to_contain_text(f"Assignee: — → {manager.display_name}")
    expect(page.get_by_label("Message")).to_have_value("I am sending a new dock today.")
    expect(page.locator("#ticket-assignee")).to_have_text(manager.display_name)
    assert not ticket.comments.exists()

    page.get_by_role("button", name="Send").click()
    expect(page.locator(".comment-public").first).to_contain_text("I am sending a new dock")
    expect(page.locator("#reply-form .refusal")).to_be_empty()
    assert ticket.comments.get().body == "I am sending a new dock today."
    ticket.refresh_from_db()
    assert ticket.assignee == manager


def test_a_server_failure_still_gets_the_generic_message(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    page.route("**/reply/", lambda route: route.fulfill(status=500, body="<h1>Boom</h1>"))

    page.get_by_label("Message").fill("Still typed")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("alert")).to_contain_text("Something went wrong on our side")
    expect(page.get_by_text("Boom")).to_have_count(0)
    expect(page.get_by_label("Message")).to_have_value("Still typed")
