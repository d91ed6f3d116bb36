"""Change and release journeys in a real browser."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from changes import services as change_services
from changes.models import ChangeRequest, ChangeTemplate
from itsm.accounts.roles import Role
from releases.models import Release
from tests.changes.factories import cab, change_manager
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket

from .test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_normal_change_through_cab_to_calendar_and_caused_incident(live_server, page, agent):
    cm = change_manager()
    members = cab(2)
    erp = ServiceFactory(name="ERP")
    start = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=2)

    sign_in(page, live_server.url, cm.email)
    page.goto(live_server.url + "/desk/changes/new/")
    page.get_by_label("Title").fill("Upgrade ERP database")
    page.get_by_label("Affected services").select_option(label="ERP")
    page.get_by_label("Planned start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Planned end").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Backout plan").fill("Restore last night's snapshot.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#change-status")).to_have_text("Draft")
    number = page.locator(".ticket-number").inner_text()

    page.get_by_label("New status").select_option(label="Submit for assessment")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#change-status")).to_have_text("Assessment")
    page.get_by_label("Impact on services").select_option("degraded")
    page.get_by_label("Likelihood of failure").select_option("medium")
    page.get_by_label("Backout difficulty").select_option("moderate")
    page.get_by_role("button", name="Assess risk").click()
    expect(page.locator("#change-risk")).to_have_text("Risk: Medium")
    expect(page.locator("#risk-reasons")).to_contain_text("Impact on services")
    page.get_by_label("New status").select_option(label="Send to CAB")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#change-status")).to_have_text("Awaiting CAB")
    sign_out(page)

    for member in members:
        sign_in(page, live_server.url, member.email)
        page.goto(live_server.url + "/desk/changes/agenda/")
        item = page.locator(f"#agenda-{number}")
        expect(item).to_contain_text("Risk: Medium")
        item.get_by_label("Comment").fill("Backout plan is solid.")
        item.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("status")).to_contain_text(f"You approved {number}")
        sign_out(page)

    sign_in(page, live_server.url, cm.email)
    page.goto(f"{live_server.url}/desk/changes/{number}/")
    expect(page.locator("#cab-decision")).to_have_text("CAB: Approved")
    page.get_by_label("New status").select_option(label="Schedule")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#change-status")).to_have_text("Scheduled")
    page.goto(f"{live_server.url}/desk/changes/calendar/?view=list&date={start:%Y-%m-%d}")
    expect(page.locator("#calendar-list")).to_contain_text(number)
    sign_out(page)

    incident = make_ticket(requester=agent, service=erp, short_description="ERP is very slow")
    sign_in(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/desk/tickets/{incident.number}/")
    panel = page.locator("#changes-near")
    expect(panel).to_contain_text(number)
    panel.get_by_role("button", name="Caused by this change").click()
    expect(page.locator("#changes-near")).to_contain_text("Caused this incident")
    page.goto(f"{live_server.url}/desk/changes/{number}/")
    expect(page.locator("#caused-incidents")).to_contain_text(incident.number)


def test_release_manager_builds_release_with_support_plan_and_sees_hypercare(
    live_server, page, agent
):
    cm = change_manager()
    rm = UserFactory(
        email="rory@example.com", display_name="Rory Release", roles=[Role.RELEASE_MANAGER]
    )
    erp = ServiceFactory(name="ERP")
    template = ChangeTemplate.objects.create(name="ERP patch")
    start = timezone.now() + timedelta(hours=1)
    numbers = []
    for title in ("ERP app patch", "ERP report fix"):
        change = change_services.change_create(
            actor=cm,
            title=title,
            template=template,
            services=[erp],
            planned_start=start,
            planned_end=start + timedelta(hours=1),
        )
        change_services.change_transition(
            change=change, actor=cm, to_status="scheduled", expected_version=change.version
        )
        numbers.append(change.number)

    sign_in(page, live_server.url, rm.email)
    page.goto(live_server.url + "/desk/releases/new/")
    page.get_by_label("Name").fill("ERP spring release")
    page.get_by_label("Version", exact=True).fill("4.2")
    page.get_by_label("Changes").select_option(
        label=[f"{numbers[0]} ERP app patch", f"{numbers[1]} ERP report fix"]
    )
    page.get_by_label("Known issues").fill("Saved report layouts reset after the update.")
    page.get_by_label("Hypercare days").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#release-status")).to_have_text("Planning")
    release_number = page.locator(".ticket-number").inner_text()
    expect(page.locator("#release-changes")).to_contain_text(numbers[0])
    expect(page.locator("#release-changes")).to_contain_text(numbers[1])

    page.locator("#staffing-form").evaluate("f => f.closest('details').open = true")
    page.locator("#staffing-form").get_by_label("Agent").select_option(label=str(agent))
    page.locator("#staffing-form").get_by_label("From").fill(
        timezone.now().strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("#staffing-form").get_by_label("To").fill(
        (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("#staffing-form").get_by_label("Notes").fill("Extra phone cover")
    page.get_by_role("button", name="Add staffing").click()
    expect(page.locator(".staffing")).to_contain_text("Extra phone cover")
    page.locator("#step-form").get_by_label("Step").fill("Deploy ERP 4.2")
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("#deployment-plan")).to_contain_text("Deploy ERP 4.2")

    for label in ("Start build", "Start testing"):
        page.get_by_label("Next stage").select_option(label=label)
        page.get_by_role("button", name="Move").click()
    expect(page.locator("#release-status")).to_have_text("Test")
    # The form preselects the step forward, not "Back to build" listed beside it.
    expect(page.get_by_label("Next stage")).to_have_value("deploy")
    page.get_by_role("button", name="Move").click()
    expect(page.locator("#release-status")).to_have_text("Deploy")
    page.get_by_label("Status of step 1").select_option("done")
    page.locator("#deployment-plan").get_by_role("button", name="Set").click()
    expect(page.get_by_label("Next stage")).to_have_value("hypercare")
    page.get_by_role("button", name="Move").click()
    # Its changes are still only scheduled: hypercare waits for their implementation.
    expect(page.get_by_role("status")).to_contain_text("Not every change is implemented yet")
    expect(page.locator("#release-status")).to_have_text("Deploy")
    for change in ChangeRequest.objects.filter(number__in=numbers):
        for to_status, fields in (
            ("implementing", {"window_override_reason": "Deployed with the release."}),
            ("review", {"review_outcome": "successful"}),
        ):
            change = change_services.change_transition(
                change=change,
                actor=cm,
                to_status=to_status,
                expected_version=change.version,
                **fields,
            )
    page.reload()
    page.get_by_role("button", name="Move").click()
    expect(page.locator("#release-status")).to_have_text("Hypercare")
    # Close is the only step left, so it is the one preselected.
    expect(page.get_by_label("Next stage")).to_have_value("closed")

    release = Release.objects.get(number=release_number)
    with time_machine.travel(release.deployed_at + timedelta(minutes=5), tick=True):
        incident = make_ticket(
            requester=agent, service=erp, impact=1, urgency=1, short_description="ERP down"
        )
    page.reload()
    expect(page.locator("#hypercare-counts")).to_contain_text("Incidents tagged: 1")
    expect(page.locator("#hypercare-incidents")).to_contain_text(incident.number)
    page.goto(live_server.url + "/desk/releases/")
    expect(page.locator(f"#release-{release_number}")).to_contain_text("Extra phone cover")
