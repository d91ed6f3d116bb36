"""Browser journeys: running a major incident, and problem management feeding the desk."""

import pytest
from playwright.sync_api import expect

from itsm.accounts.roles import Role
from problems.models import ProblemDetectionRule
from problems.services import problem_candidates_detect
from tests.e2e.test_sign_in import sign_in
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _switch_to(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base_url, email)


def test_manager_declares_posts_a_public_update_and_a_requester_joins(
    live_server, page, manager, agent, requester, other_requester
):
    p1 = make_ticket(
        requester=requester,
        actor=agent,
        short_description="Payroll is down for everyone",
        impact=1,
        urgency=1,
    )
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + f"/desk/tickets/{p1.number}/")
    page.get_by_text("Declare major incident").click()
    page.locator("#declare-major-form").get_by_label("Reason").fill("Nobody can be paid this month")
    page.get_by_role("button", name="Declare", exact=True).click()
    expect(page.locator("#major-status")).to_have_text("Active")
    expect(page.locator("#major-manager")).to_have_text(manager.display_name)

    page.get_by_role("textbox", name="Update", exact=True).fill(
        "Database failover in progress, next update 10:30."
    )
    page.get_by_label("Public (requesters, subscribers and the portal banner see it)").check()
    page.get_by_role("button", name="Post update").click()
    expect(page.locator("#major-timeline")).to_contain_text("Database failover in progress")

    _switch_to(page, live_server.url, other_requester.email)
    page.goto(live_server.url + "/portal/")
    banner = page.locator(".major-banner")
    expect(banner).to_contain_text("Payroll is down for everyone")
    expect(banner).to_contain_text("Database failover in progress")
    banner.get_by_label("What do you see?").fill("My payslip page is blank")
    banner.get_by_role("button", name="I'm affected too").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Affected by")
    page.goto(live_server.url + "/portal/")
    expect(page.locator(".major-banner")).to_contain_text("You are on the list")
    assert dialogs == []

    child = Ticket.objects.get(parent=p1)
    assert child.requester == other_requester and child.description == "My payslip page is blank"


def test_a_declared_major_incident_is_p1_lists_who_was_told_and_shows_on_every_desk_page(
    live_server, page, manager, agent, requester, other_requester
):
    """GIVEN a low-priority incident with an internal-sounding title
    WHEN the manager declares it, rewords it for requesters and posts an update
    THEN it is P1, the stakeholders and their delivery show, desk pages carry the banner,
    the portal shows only the public wording, and the declarer is not offered to join."""
    ticket = make_ticket(
        requester=requester,
        actor=agent,
        short_description="Caller: Outlook asks for the password again",
    )
    assert ticket.priority != 1
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    page.get_by_text("Declare major incident").click()
    page.locator("#declare-major-form").get_by_label("Reason").fill("Mail is down for everyone")
    page.get_by_role("button", name="Declare", exact=True).click()
    expect(page.locator("#major-status")).to_have_text("Active")
    expect(page.locator(".ticket-head")).to_contain_text("P1")
    stakeholders = page.locator("#stakeholders")
    expect(stakeholders).to_contain_text(manager.display_name)
    expect(stakeholders).to_contain_text("Pending")

    title = page.get_by_label("Title requesters see")
    expect(title).to_have_value("Caller: Outlook asks for the password again")
    title.fill("Email cannot be opened")
    expect(page.locator(".public-preview")).to_contain_text(
        "Requesters see: “Ongoing major incident: Email cannot be opened”"
    )
    page.get_by_role("button", name="Save wording").click()
    page.get_by_role("textbox", name="Update", exact=True).fill(
        "Mail servers restarting, next update 10:30."
    )
    page.get_by_role("button", name="Post update").click()

    page.goto(live_server.url + "/desk/tickets/")
    banner = page.locator(".desk-major-banner")
    expect(banner).to_contain_text(ticket.number)
    expect(banner).to_contain_text("Mail servers restarting")
    banner.get_by_role("link", name="Open the major incident").click()
    expect(page.locator("#major-status")).to_have_text("Active")

    page.goto(live_server.url + "/portal/")
    portal_banner = page.locator(".major-banner")
    expect(portal_banner).to_contain_text("Email cannot be opened")
    expect(portal_banner).not_to_contain_text("Caller:")
    expect(portal_banner.get_by_role("button", name="I'm affected too")).to_have_count(0)

    _switch_to(page, live_server.url, other_requester.email)
    page.goto(live_server.url + "/portal/")
    expect(
        page.locator(".major-banner").get_by_role("button", name="I'm affected too")
    ).to_be_visible()


def test_problem_manager_accepts_a_candidate_records_the_cause_and_agents_see_the_known_error(
    live_server, page, agent, requester, service_desk_team
):
    paula = UserFactory(
        email="paula@example.com", display_name="Paula Problem", roles=[Role.PROBLEM_MANAGER]
    )
    service_desk_team.members.add(paula)
    vpn = ServiceFactory(name="VPN")
    ProblemDetectionRule.objects.create(name="repeats", group_by="service", min_incidents=3)
    for text in ("VPN drops at noon", "VPN disconnects", "VPN lost again"):
        make_ticket(requester=requester, actor=agent, short_description=text, service=vpn)
    problem_candidates_detect()

    sign_in(page, live_server.url, paula.email)
    page.goto(live_server.url + "/desk/problems/candidates/")
    expect(page.locator(".candidate")).to_contain_text("VPN drops at noon")
    page.get_by_label("Problem statement").fill("VPN sessions drop hourly")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VPN sessions drop hourly")

    page.get_by_text("Record the analysis").click()
    page.get_by_label("Root cause").first.fill("Concentrator firmware ignores the re-key lifetime")
    page.get_by_role("button", name="Save analysis").click()
    expect(page.locator("#root-cause")).to_contain_text("Concentrator firmware")

    page.get_by_text("Publish as known error").click()
    page.get_by_label("Workaround").fill("Connect to the backup gateway vpn-b.")
    page.get_by_role("button", name="Publish known error").click()
    expect(page.get_by_text("Known error", exact=True).first).to_be_visible()

    new = make_ticket(requester=requester, actor=agent, short_description="VPN again", service=vpn)
    _switch_to(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{new.number}/")
    expect(page.locator(".known-error")).to_contain_text("Connect to the backup gateway vpn-b.")
