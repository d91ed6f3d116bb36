"""Re-triage on the desk ticket page (issue 16): every field kind edited inline without a
page reload, the keyboard (e, Esc, Ctrl+Enter), refusals next to the control, a collision
that keeps what was typed, the team's agent list and "Reply and set"."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Category, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_ticket(page, live_server, agent, ticket):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    # Set on the window: a page reload would lose it, an htmx swap keeps it.
    page.evaluate("window.notReloaded = true")


def still_same_page(page):
    assert page.evaluate("window.notReloaded") is True


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def edit(page, label, first_control):
    """Open an editor and wait until htmx has wired it (it then takes the focus): a person
    never acts within htmx's settle delay, a test otherwise can."""
    page.get_by_role("button", name=f"Edit {label}").click()
    expect(page.locator(first_control)).to_be_focused()


def test_e_opens_the_short_description_ctrl_enter_saves_it_without_a_reload(
    live_server, page, agent, requester
):
    ticket = make_ticket(requester=requester, short_description="Outlook asks for a password")
    open_ticket(page, live_server, agent, ticket)

    page.keyboard.press("e")
    box = page.locator("#edit-short_description")
    expect(box).to_be_focused()
    box.fill("Outlook asks for a password every hour")
    box.press("Control+Enter")

    expect(page.locator("#ticket-short-description")).to_have_text(
        "Outlook asks for a password every hour"
    )
    expect(page.locator("#edit-short_description-form")).to_have_count(0)
    expect(page.locator(".conversation")).to_contain_text(
        "Outlook asks for a password → Outlook asks for a password every hour"
    )
    still_same_page(page)
    assert fresh(ticket).short_description == "Outlook asks for a password every hour"


def test_esc_closes_an_editor_without_saving(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester, description="Since Monday.")
    open_ticket(page, live_server, agent, ticket)

    edit(page, "description", "#edit-description")
    box = page.locator("#edit-description")
    expect(box).to_have_value("Since Monday.")
    box.fill("Something else entirely")
    box.press("Escape")

    expect(page.locator("#edit-description-form")).to_have_count(0)
    expect(page.locator("#ticket-description")).to_have_text("Since Monday.")
    assert fresh(ticket).description == "Since Monday."


def test_the_subcategory_and_ci_lists_follow_their_choice_and_save(
    live_server, page, agent, requester
):
    hardware = Category.objects.create(name="Hardware")
    Category.objects.create(name="Laptop", parent=hardware)
    software = Category.objects.create(name="Software")
    Category.objects.create(name="Email", parent=software)
    mail = ServiceFactory(name="Mail")
    ConfigurationItemFactory(name="mx-01", service=mail)
    ConfigurationItemFactory(name="erp-db-01", service=ServiceFactory(name="ERP"))
    ticket = make_ticket(requester=requester, category=hardware)
    open_ticket(page, live_server, agent, ticket)

    edit(page, "category", "#edit-category")
    subcategory = page.locator("#edit-subcategory")
    expect(subcategory.locator("option", has_text="Laptop")).to_have_count(1)
    page.locator("#edit-category").select_option(label="Software")
    expect(subcategory.locator("option", has_text="Email")).to_have_count(1)
    expect(subcategory.locator("option", has_text="Laptop")).to_have_count(0)
    expect(page.locator("#edit-category")).to_be_focused()  # the redrawn editor is wired
    subcategory.select_option(label="Software › Email")
    page.locator("#edit-category-form").get_by_role("button", name="Save").click()
    expect(page.locator("#ticket-category")).to_have_text("Software › Email")

    edit(page, "service and CI", "#edit-service")
    page.locator("#edit-service").select_option(label="Mail")
    ci = page.locator("#edit-ci")
    expect(ci.locator("option", has_text="erp-db-01")).to_have_count(0)
    expect(page.locator("#edit-service")).to_be_focused()
    ci.select_option(label="mx-01")
    ci.press("Control+Enter")
    expect(page.locator("#ticket-service")).to_have_text("Mail · mx-01")
    still_same_page(page)
    ticket = fresh(ticket)
    assert (ticket.subcategory.name, ticket.ci.name) == ("Email", "mx-01")


def test_impact_and_urgency_recompute_the_priority_badge(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    open_ticket(page, live_server, agent, ticket)
    expect(page.locator(".ticket-head .badge").first).to_have_text("P5")

    edit(page, "impact and urgency", "#edit-impact")
    page.locator("#edit-impact").select_option("1")
    page.locator("#edit-urgency").select_option("1")
    page.locator("#edit-urgency").press("Control+Enter")

    expect(page.locator(".ticket-head .badge").first).to_have_text("P1")
    expect(page.locator("#ticket-impact")).to_have_text("1 × 1")


def test_the_requester_and_channel_are_changed_inline(
    live_server, page, agent, requester, other_requester
):
    ticket = make_ticket(requester=requester, actor=agent, channel="phone")
    open_ticket(page, live_server, agent, ticket)

    edit(page, "requester", "#edit-requester")
    page.locator("#edit-requester").fill(other_requester.email)
    page.locator("#edit-requester").press("Control+Enter")
    expect(page.locator("#ticket-requester")).to_contain_text("Omar Employee")

    edit(page, "channel", "#edit-channel")
    page.locator("#edit-channel").select_option("email")
    page.locator("#edit-channel").press("Control+Enter")
    expect(page.locator("#ticket-channel")).to_have_text("Email")
    still_same_page(page)
    assert (fresh(ticket).requester, fresh(ticket).channel) == (other_requester, "email")


def test_watchers_are_added_and_removed_inline(live_server, page, agent, requester, manager):
    ticket = make_ticket(requester=requester)
    open_ticket(page, live_server, agent, ticket)
    expect(page.locator("#ticket-watchers")).to_have_text("Nobody")

    edit(page, "watchers", "#edit-watchers-add")
    page.get_by_label("Add a person").fill(manager.email)
    page.get_by_label("Add a person").press("Control+Enter")
    expect(page.locator("#ticket-watchers")).to_have_text("Morgan Manager")

    edit(page, "watchers", "#edit-watchers-add")
    page.get_by_label(manager.email).uncheck()
    page.locator("#edit-watchers-form").get_by_role("button", name="Save").click()
    expect(page.locator("#ticket-watchers")).to_have_text("Nobody")
    still_same_page(page)
    assert not fresh(ticket).watchers.exists()


def test_a_refused_edit_shows_the_servers_message_next_to_the_control(
    live_server, page, agent, requester
):
    ticket = make_ticket(requester=requester, short_description="Printer jams")
    open_ticket(page, live_server, agent, ticket)

    edit(page, "short description", "#edit-short_description")
    page.locator("#edit-short_description").fill("   ")
    page.locator("#edit-short_description").press("Control+Enter")

    editor = page.locator("#field-short_description .field-editor")
    expect(editor).to_contain_text("Describe the problem in a few words.")
    expect(page.locator("#edit-short_description")).to_be_visible()
    assert fresh(ticket).short_description == "Printer jams"


def test_a_collision_shows_what_changed_and_keeps_the_typed_value(
    live_server, page, agent, manager, requester
):
    ticket = make_ticket(requester=requester)
    open_ticket(page, live_server, agent, ticket)
    edit(page, "description", "#edit-description")
    page.locator("#edit-description").fill("Only on the office Wi-Fi, since Monday.")

    # Meanwhile the manager raises the impact.
    services.ticket_update(ticket=fresh(ticket), actor=manager, expected_version=1, impact=1)
    page.locator("#edit-description").press("Control+Enter")

    editor = page.locator("#edit-description-form")
    expect(editor.locator(".stale-box")).to_contain_text("What changed since you opened it")
    expect(editor.locator(".stale-box")).to_contain_text("Morgan Manager")
    expect(page.locator("#edit-description")).to_have_value(
        "Only on the office Wi-Fi, since Monday."
    )
    assert fresh(ticket).description == ""

    expect(page.locator("#edit-description")).to_be_focused()
    page.locator("#edit-description").press("Control+Enter")
    expect(page.locator("#ticket-description")).to_have_text(
        "Only on the office Wi-Fi, since Monday."
    )


def test_the_agent_list_follows_the_team_and_a_non_member_is_refused_next_to_it(
    live_server, page, agent, agent_other_team, other_team, requester
):
    ticket = make_ticket(requester=requester)
    open_ticket(page, live_server, agent, ticket)

    page.locator("#id_team").select_option(label="Network")
    expect(page.locator("#id_assignee option", has_text="Nick Network")).to_have_count(1)
    expect(page.locator("#id_assignee option", has_text="Alice Agent")).to_have_count(0)
    page.locator("#id_assignee").select_option(label="Nick Network")
    # Nick leaves the team while the list is on screen.
    other_team.members.remove(agent_other_team)
    page.locator("#assign-form").get_by_role("button", name="Assign").click()

    expect(page.locator("#assign-form .refusal")).to_contain_text(
        "Nick Network is not a member of Network."
    )
    assert fresh(ticket).assignee is None


def test_reply_and_set_awaiting_requester_in_one_step(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    open_ticket(page, live_server, agent, ticket)

    page.get_by_label("Message").fill("Which VPN client version do you run?")
    page.get_by_role("button", name="Reply and set: awaiting requester").click()

    expect(page.locator("#ticket-status")).to_have_text("On hold · Awaiting requester")
    expect(page.locator(".comment-public")).to_contain_text("Which VPN client version")
    still_same_page(page)


def test_reply_and_resolve_in_one_step(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    open_ticket(page, live_server, agent, ticket)

    page.get_by_label("Message").fill("Reinstalled the client; it connects now.")
    page.get_by_label("Outcome (for Reply and resolve)").select_option("solved")
    page.get_by_role("button", name="Reply and resolve").click()

    expect(page.locator("#ticket-status")).to_have_text("Resolved")
    assert fresh(ticket).resolution_notes == "Reinstalled the client; it connects now."
