"""Browser journeys: the other processes on the ticket page while a caller is on the line —
an ongoing major incident (banner, panel, link as affected, a second declaration asks
first), a release in hypercare and its known issue, and the requester's history."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases.models import Release, ReleaseIncidentTag
from tests.changes.factories import change_manager, make_change
from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets.major import services as major_services
from tickets.models import SatisfactionSurvey, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_sees_the_major_incident_on_another_ticket_and_links_it_in_one_click(
    live_server, page, agent, manager, major, caller
):
    major_services.major_incident_set_desk_instructions(
        major=major,
        actor=manager,
        caller_script="Tell callers payslips come out tomorrow.",
        public_wording="Payroll is delayed.",
        next_update_due_at=None,
    )
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{caller.number}/")
    banner = page.locator(".desk-major-banner")
    expect(banner).to_contain_text(major.ticket.number)
    expect(banner).to_contain_text("Payroll is down")
    expect(banner).to_contain_text("Affects Payroll")
    expect(banner).to_contain_text("Database failover in progress")
    panel = page.locator("#major-panel")
    expect(panel).to_contain_text("Tell callers payslips come out tomorrow.")
    page.evaluate("window.__sameDocument = true")
    panel.get_by_role("button", name=f"Link as affected by {major.ticket.number}").click()
    expect(page.locator("#major-panel-linked")).to_contain_text("works at P1")
    # htmx swapped the panel: the page was not reloaded.
    assert page.evaluate("window.__sameDocument") is True
    caller.refresh_from_db()
    assert caller.parent_id == major.ticket_id and caller.priority == 1

    # The child, opened again, carries the major incident's updates and its priority.
    page.reload()
    expect(page.locator("#major-panel-updates")).to_contain_text("Database failover in progress")
    expect(page.locator(".ticket-head")).to_contain_text("P1")
    expect(page.locator("#ticket-impact")).to_contain_text(
        f"Affected by major incident {major.ticket.number}"
    )


def test_declaring_a_second_major_incident_asks_first_and_link_instead_works(
    live_server, page, manager, major, caller
):
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + f"/desk/tickets/{caller.number}/")
    page.get_by_text("Declare major incident").click()
    page.locator("#declare-major-form").get_by_label("Reason").fill("Payslips are blank")
    page.get_by_role("button", name="Declare", exact=True).click()
    expect(page.locator("#declare-confirm-message")).to_contain_text(
        f"{major.ticket.number} is already open for Payroll"
    )
    expect(page.locator("#declare-anyway")).to_be_visible()
    page.locator("#declare-link-instead").click()
    expect(page).to_have_url(live_server.url + f"/desk/tickets/{caller.number}/")
    expect(page.locator("#major-panel-linked")).to_be_visible()
    caller.refresh_from_db()
    assert caller.parent_id == major.ticket_id and not caller.is_major


def test_declare_anyway_declares_the_second_one(live_server, page, manager, major, caller):
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + f"/desk/tickets/{caller.number}/")
    page.get_by_text("Declare major incident").click()
    page.locator("#declare-major-form").get_by_label("Reason").fill("A separate outage")
    page.get_by_role("button", name="Declare", exact=True).click()
    page.locator("#declare-anyway").click()
    expect(page.locator("#major-status")).to_have_text("Active")
    assert Ticket.objects.get(pk=caller.pk).is_major


def test_a_hypercare_ticket_shows_the_known_issue_and_records_it_in_one_click(
    live_server, page, agent, requester, payroll
):
    now = timezone.now()
    release = Release.objects.create(
        number=Release.next_number(),
        name="Payroll 5",
        status="hypercare",
        deployed_at=now - timedelta(hours=1),
        hypercare_ends_at=now + timedelta(days=7),
        known_issues="- Payslip PDF shows the old logo\n- Export is slow",
    )
    release.changes.add(make_change(actor=change_manager(), services=[payroll]))
    ticket = make_ticket(requester=requester, actor=agent, service=payroll)
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    panel = page.locator("#hypercare-panel")
    expect(panel).to_contain_text(release.number)
    expect(panel).to_contain_text("Payslip PDF shows the old logo")
    panel.locator('[data-known-issue="1"]').click()
    expect(page.locator(f"#known-issue-recorded-{release.number}")).to_contain_text(
        "Payslip PDF shows the old logo"
    )
    tag = ReleaseIncidentTag.objects.get(release=release, incident=ticket)
    assert tag.known_issue == "Payslip PDF shows the old logo"


def test_the_requester_history_shows_and_see_all_lands_on_the_filtered_queue(
    live_server, page, agent, requester, other_requester
):
    requester.organisation_unit = "Finance"
    requester.is_vip = True
    requester.save()
    current = make_ticket(requester=requester, actor=agent, short_description="Printer jams")
    other = make_ticket(requester=requester, actor=agent, short_description="VPN drops")
    done = make_ticket(requester=requester, actor=agent, short_description="Laptop slow")
    Ticket.objects.filter(pk=done.pk).update(status="closed", resolution_code="solved")
    SatisfactionSurvey.objects.create(ticket=done, respondent=requester, rating=4)
    theirs = make_ticket(requester=other_requester, actor=agent, short_description="Not hers")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{current.number}/")
    history = page.locator("#requester-history")
    expect(history.locator("#requester-vip")).to_have_text("VIP")
    expect(history).to_contain_text("Finance")
    expect(history.locator(".requester-open")).to_contain_text(other.number)
    expect(history.locator(".requester-closed")).to_contain_text("4/5")
    history.locator("#requester-see-all").click()
    expect(page).to_have_url(live_server.url + "/desk/tickets/?requester=rita%40example.com")
    rows = page.locator("table")
    expect(rows.first).to_contain_text(other.number)
    expect(page.locator("body")).not_to_contain_text(theirs.number)
