"""Change and release journeys in a real browser."""

import re
from datetime import datetime, time, timedelta
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from changes import services as change_services
from changes.models import CalendarFeedToken, ChangeRequest, ChangeTemplate
from itsm.accounts.roles import Role
from releases.models import Release
from tests.changes.factories import RISK_LOW, blackout, cab, change_manager, make_change, move
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
    page.locator("#id_title").fill("Upgrade ERP database")
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


def test_agent_reads_the_calendar_in_order_and_subscribes_with_her_own_calendar_link(
    live_server, page, agent
):
    cm = change_manager()
    tz = timezone.get_current_timezone()
    # Inside the feed's year ahead: the 1st of the month after next, and 29 days later.
    first = (timezone.localdate() + timedelta(days=40)).replace(day=1)
    change = move(
        make_change(
            actor=cm,
            start=datetime.combine(first, time(9), tzinfo=tz),
            title="Patch ERP",
            services=[ServiceFactory(name="ERP")],
        ),
        cm,
        "assessment",
    )
    blackout(
        name="Month-end freeze",
        start=datetime.combine(first + timedelta(days=29), time(0), tzinfo=tz),
        end=datetime.combine(first + timedelta(days=30), time(0), tzinfo=tz),
    )

    sign_in(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/desk/changes/calendar/?view=list&date={first:%Y-%m-%d}")
    rows = page.locator("#calendar-list tbody tr")
    expect(rows.nth(0)).to_contain_text(change.number)
    expect(rows.nth(1)).to_contain_text("Blackout: Month-end freeze")

    page.get_by_text("Subscribe in your calendar app").click()
    link = page.locator("#ics-link")
    expect(link).to_have_attribute("href", "/desk/changes/calendar.ics")
    signed_in = page.request.get(live_server.url + link.get_attribute("href"))
    assert signed_in.status == 200 and change.number in signed_in.text()

    page.get_by_role("button", name="Make a calendar link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar link")
    url = page.get_by_label("Calendar link").input_value()
    assert url.startswith(live_server.url + "/desk/changes/calendar.ics?token=")
    assert CalendarFeedToken.objects.get(user=agent).key_hash not in url
    with urlopen(url) as feed:  # a calendar app: no session
        assert change.number in feed.read().decode()

    page.goto(live_server.url + "/desk/changes/calendar/")
    page.get_by_text("Subscribe in your calendar app").click()
    expect(page.locator("#feed-help")).not_to_contain_text("token=")
    page.get_by_role("button", name="Revoke calendar link").click()
    expect(page.get_by_role("status")).to_contain_text("Calendar link revoked")
    with pytest.raises(HTTPError) as refused:
        urlopen(url)
    assert refused.value.code == 401


def test_agent_filters_the_change_list_by_risk_and_words(live_server, page, agent):
    cm = change_manager()
    start = timezone.now() + timedelta(days=3)
    erp = ServiceFactory(name="ERP")
    assessed = move(
        make_change(actor=cm, start=start, title="Patch ERP", services=[erp]), cm, "assessment"
    )
    change_services.change_assess_risk(
        change=assessed, actor=cm, expected_version=assessed.version, answers=RISK_LOW
    )
    other = make_change(actor=cm, start=start, title="Upgrade CRM")

    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/changes/")
    bar = page.locator("#change-filters")
    expect(bar).not_to_contain_text("[invalid name]")
    expect(bar).not_to_contain_text("greater than")
    expect(page.get_by_role("link", name=other.number)).to_be_visible()

    bar.get_by_label("Risk").select_option(label="Low")
    expect(page.get_by_role("link", name=other.number)).to_have_count(0)
    expect(page.get_by_role("link", name=assessed.number)).to_be_visible()
    expect(page).to_have_url(re.compile(r"risk=low"))

    bar.get_by_label("Risk").select_option(label="Any risk")
    bar.get_by_label("Search").press_sequentially("CRM")
    expect(page.get_by_role("link", name=assessed.number)).to_have_count(0)
    expect(page.get_by_role("link", name=other.number)).to_be_visible()
