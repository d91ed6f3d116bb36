"""Macros, @mentions and the desk's notification centre (issue 21, part B), in a real
browser: two agents in sequence, each with their own browser context."""

import pytest
from playwright.sync_api import expect

from itsm.notifications.models import InAppNotification
from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import ResolutionCode, TicketStatus
from tickets.models import Comment, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, user.email)
    expect(page).to_have_url(live_server.url + "/desk/")
    return page


def _work_note(page, live_server, ticket, body):
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    page.get_by_label("Work note (agents only)").check()
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send").click()


def test_a_mention_notifies_the_agent_and_their_bell_counts_it(
    live_server, browser, agent, agent_other_team, requester
):
    ticket = make_ticket(requester=requester)
    nick = _as(browser, live_server, agent_other_team)
    expect(nick.locator("#bell-link")).to_have_attribute("aria-label", "Notifications: 0 unread")

    alice = _as(browser, live_server, agent)
    alice.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    alice.get_by_label("Work note (agents only)").check()
    box = alice.get_by_label("Message")
    # The type-ahead offers Nick from "@ni"; Enter takes him.
    box.press_sequentially("Switch port flapping, @ni")
    expect(alice.locator("#mention-suggestions")).to_contain_text("@nick — Nick Network")
    box.press("Enter")
    expect(box).to_have_value("Switch port flapping, @nick ")
    box.press_sequentially("please check.")
    alice.get_by_role("button", name="Send").click()
    expect(alice.locator(".messages")).to_contain_text("Work note added.")

    nick.reload()
    expect(nick.locator("#bell-count")).to_have_text("1")
    nick.locator("#bell-link").click()
    expect(nick.get_by_role("heading", name="Notifications")).to_be_visible()
    line = nick.locator(".inbox-line").first
    expect(line).to_contain_text(f"Alice Agent mentioned you on {ticket.number}")
    expect(line).to_contain_text("Mentioned in a work note")
    line.get_by_role("link").click()
    expect(nick).to_have_url(
        f"{live_server.url}/desk/tickets/{ticket.number}/#comment-"
        f"{Comment.objects.get(ticket=ticket).pk}"
    )


def test_a_refused_mention_shows_its_message_and_keeps_the_text(
    live_server, page, agent, requester, other_requester
):
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, agent.email)
    _work_note(page, live_server, ticket, "Ask @omar for the serial number")
    expect(page.locator("#reply-form .refusal")).to_contain_text(
        "cannot see this ticket's work notes"
    )
    expect(page.get_by_label("Message")).to_have_value("Ask @omar for the serial number")
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_mark_one_read_then_all_read(live_server, page, agent, agent_other_team, requester):
    ticket = make_ticket(requester=requester)
    for text in ("one", "two", "three"):
        services.comment_add(
            ticket=ticket, author=agent_other_team, body=f"@alice {text}", is_public=False
        )
    sign_in(page, live_server.url, agent.email)
    expect(page.locator("#bell-count")).to_have_text("3")
    page.goto(live_server.url + "/notifications/")
    page.locator(".inbox-line.unread").first.get_by_role("button", name="Mark read").click()
    expect(page.locator(".inbox-line.unread")).to_have_count(2)
    expect(page.locator("#bell-count")).to_have_text("2")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".messages")).to_contain_text("2 notifications marked read.")
    expect(page.locator(".inbox-line.unread")).to_have_count(0)
    expect(page.locator("#bell-link")).to_have_attribute("aria-label", "Notifications: 0 unread")


def test_turning_in_app_off_for_mentions_stops_that_notification(
    live_server, page, agent, agent_other_team, requester
):
    sign_in(page, live_server.url, agent_other_team.email)
    page.get_by_role("link", name="Email preferences").click()
    page.get_by_label("Mentioned in a work note: in the desk").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your notification preferences are saved.")
    ticket = make_ticket(requester=requester)
    services.comment_add(ticket=ticket, author=agent, body="@nick look", is_public=False)
    assert not InAppNotification.objects.filter(recipient=agent_other_team).exists()
    # Assignments still reach the bell.
    services.ticket_assign(
        ticket=ticket,
        actor=agent,
        expected_version=None,
        team=agent_other_team.teams.first(),
        assignee=agent_other_team,
    )
    page.goto(live_server.url + "/desk/")
    expect(page.locator("#bell-count")).to_have_text("1")


def _queue(page, live_server, agent):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")


def test_a_macro_applied_to_three_tickets_from_the_bulk_bar(
    live_server, page, agent, manager, requester
):
    macro = services.macro_create(
        actor=manager,
        name="Known VPN outage",
        note_body="Part of the VPN outage of this morning.",
        impact=2,
        urgency=2,
    )
    tickets = [make_ticket(requester=requester) for _ in range(3)]
    _queue(page, live_server, agent)
    for ticket in tickets:
        page.get_by_label(f"Select {ticket.number}").check()
    bar = page.get_by_role("group", name="Bulk action on selected tickets")
    bar.get_by_label("Action").select_option(label="Apply a macro")
    bar.get_by_label("Macro").select_option(label=macro.name)
    bar.get_by_role("button", name="Apply to selected").click()
    lines = page.locator(".messages")
    expect(lines).to_contain_text("Apply a macro: 3 done, 0 refused.")
    for ticket in tickets:
        expect(lines).to_contain_text(f"{ticket.number}: done — macro “Known VPN outage” applied")
        assert Ticket.objects.get(pk=ticket.pk).priority == services.priority_for(
            impact=2, urgency=2
        )
        assert Comment.objects.filter(ticket=ticket, is_public=False).count() == 1


def test_a_macro_refused_for_one_ticket_leaves_it_and_does_the_others(
    live_server, page, agent, manager, requester
):
    macro = services.macro_create(
        actor=manager, name="Triage VPN", note_body="Triaged.", impact=1, urgency=2
    )
    open_one, resolved = make_ticket(requester=requester), make_ticket(requester=requester)
    services.ticket_transition(
        ticket=resolved,
        to_status=TicketStatus.RESOLVED,
        actor=agent,
        expected_version=None,
        resolution_code=ResolutionCode.SOLVED,
        resolution_notes="Fixed.",
    )
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=&status=")
    for ticket in (open_one, resolved):
        page.get_by_label(f"Select {ticket.number}").check()
    bar = page.get_by_role("group", name="Bulk action on selected tickets")
    bar.get_by_label("Action").select_option(label="Apply a macro")
    bar.get_by_label("Macro").select_option(label=macro.name)
    bar.get_by_role("button", name="Apply to selected").click()
    lines = page.locator(".messages")
    expect(lines).to_contain_text("Apply a macro: 1 done, 1 refused.")
    expect(lines).to_contain_text(
        f"{resolved.number}: refused — setting fields: A resolved, closed or cancelled ticket"
    )
    assert not Comment.objects.filter(ticket=resolved, is_public=False).exists()


def test_a_macro_on_one_ticket_from_its_page(live_server, page, agent, manager, requester):
    services.macro_create(
        actor=manager,
        name="Password reset done",
        reply_body="Your password was reset; you will be asked to change it.",
        to_status=TicketStatus.RESOLVED,
        resolution_code=ResolutionCode.SOLVED,
    )
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    form = page.locator("#macro-form")
    form.get_by_label("Macro").select_option(label="Password reset done")
    form.get_by_role("button", name="Apply macro").click()
    expect(page.locator(".messages")).to_contain_text("Macro “Password reset done” applied")
    expect(page.locator(".conversation")).to_contain_text("Your password was reset")
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED


def test_a_macro_step_the_user_may_not_do_is_refused_on_the_ticket(
    live_server, page, manager, knowledge_editor, requester
):
    services.macro_create(actor=manager, name="Internal triage", note_body="Looked at it.")
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, knowledge_editor.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    form = page.locator("#macro-form")
    form.get_by_label("Macro").select_option(label="Internal triage")
    form.get_by_role("button", name="Apply macro").click()
    expect(page.locator("#macro-form .refusal")).to_contain_text(
        "the work note: Only the service desk can write work notes."
    )
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_a_team_lead_creates_a_macro_in_the_desk(live_server, page, manager):
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + "/desk/tickets/macros/")
    expect(page.get_by_text("No macros yet")).to_be_visible()
    page.get_by_role("button", name="New macro").click()
    page.get_by_label("Name").fill("Printer jam")
    page.get_by_label("Work note").fill("Sent the printer guide.")
    page.get_by_label("New status").select_option(label="Resolved")
    page.get_by_role("button", name="Save").click()
    # Resolving needs a code: said next to it, what was typed kept.
    expect(page.locator(".form-error")).to_contain_text("Choose a resolution code.")
    expect(page.get_by_label("Name")).to_have_value("Printer jam")
    page.get_by_label("Resolution code").select_option(label="Solved (permanently)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#macro-table")).to_contain_text("Printer jam")
    expect(page.locator("#macro-table")).to_contain_text("work note, status resolved")
