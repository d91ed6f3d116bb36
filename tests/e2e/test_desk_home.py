"""The desk home in a real browser: the agent's day panel by panel, a panel's "see all"
into the filtered queue, the "requester replied" entry gone once the ticket is opened, the
manager's team counts, a phone-width screen, and a requester refused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from changes.choices import ChangeRequestStatus
from changes.models import ChangeRequest
from itsm.calendars.models import BusinessCalendar
from releases.choices import ReleaseStatus
from releases.models import Release
from releases.services import release_create
from tests.changes.factories import make_change
from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import TaskStatus, TicketKind
from tickets.major.services import major_incident_declare
from tickets.models import Approval, FulfilmentTask, SlaClock, SlaPolicy
from tickets.sla.rules import SlaMetric, SlaState

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def panel(page, title):
    return page.get_by_role("region", name=title)


def test_agent_works_the_day_from_the_desk_home(
    live_server, page, agent, manager, requester, service_desk_team, admin_user
):
    mine = make_ticket(
        requester=requester,
        actor=agent,
        assignment_team=service_desk_team,
        assignee=agent,
        short_description="Laptop will not boot",
    )
    replied = make_ticket(
        requester=requester,
        actor=agent,
        assignment_team=service_desk_team,
        assignee=agent,
        short_description="VPN drops every hour",
    )
    services.comment_add(ticket=replied, author=requester, body="Again today", is_public=True)
    # Unassigned in the agent's team, its SLA due in 20 minutes: breaching soon.
    team_ticket = make_ticket(
        requester=requester,
        actor=agent,
        assignment_team=service_desk_team,
        short_description="Shared drive is read-only",
    )
    calendar = BusinessCalendar.objects.create(name="24x7", timezone="UTC", is_24x7=True)
    policy = SlaPolicy.objects.create(
        name="Desk", order=1, first_response_minutes=60, resolution_minutes=480, calendar=calendar
    )
    # Only this clock: whatever policy matched when the ticket was made does not count.
    SlaClock.objects.filter(ticket=team_ticket).delete()
    SlaClock.objects.create(
        ticket=team_ticket,
        metric=SlaMetric.RESOLUTION,
        policy=policy,
        target_minutes=480,
        state=SlaState.RUNNING,
        started_at=timezone.now() - timedelta(hours=7),
        running_since=timezone.now() - timedelta(hours=7),
        due_at=timezone.now() + timedelta(minutes=20),
    )
    request = make_ticket(
        requester=requester, kind=TicketKind.REQUEST, short_description="New monitor"
    )
    Approval.objects.create(ticket=request, approver=agent)
    FulfilmentTask.objects.create(
        ticket=request,
        number=FulfilmentTask.next_number(),
        title="Deliver the monitor",
        team=service_desk_team,
        status=TaskStatus.OPEN,
    )
    outage = make_ticket(
        requester=requester, actor=agent, short_description="E-mail is down for everyone"
    )
    major_incident_declare(
        ticket=outage,
        actor=agent,
        reason="Nobody can send mail",
        manager=manager,
        communications_owner=manager,
    )
    change = make_change(actor=agent, title="Swap the core switch", start=timezone.now())
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeRequestStatus.IMPLEMENTING)
    release = release_create(actor=admin_user, name="Payroll 2.0")
    Release.objects.filter(pk=release.pk).update(
        status=ReleaseStatus.HYPERCARE, hypercare_ends_at=timezone.now() + timedelta(days=2)
    )

    sign_in(page, live_server.url, agent.email)
    expect(page).to_have_url(live_server.url + "/desk/")
    expect(panel(page, "My tickets by SLA due")).to_contain_text("Laptop will not boot")
    expect(panel(page, "My tickets by SLA due")).to_contain_text(mine.number)
    expect(panel(page, "Requester replied")).to_contain_text("VPN drops every hour")
    expect(panel(page, "Requester replied")).not_to_contain_text("Laptop will not boot")
    expect(panel(page, "Awaiting my approval")).to_contain_text("New monitor")
    expect(panel(page, "Changes in progress today")).to_contain_text("Swap the core switch")
    expect(panel(page, "Releases in hypercare")).to_contain_text("Payroll 2.0")
    expect(panel(page, "My tasks")).to_contain_text("Deliver the monitor")
    expect(panel(page, "Ongoing major incidents")).to_contain_text("E-mail is down for everyone")
    expect(page.get_by_role("region", name="Teams right now")).to_have_count(0)

    # "Breaching soon" leads to the queue of my teams' breaching tickets.
    expect(panel(page, "Breaching soon")).to_contain_text("Shared drive is read-only")
    panel(page, "Breaching soon").get_by_role("link", name="All breaching in my teams").click()
    expect(page.locator("main")).to_contain_text(team_ticket.number)
    expect(page.locator("main")).not_to_contain_text(mine.number)
    page.go_back()

    # "See all" opens the filtered queue with the same ticket.
    panel(page, "Requester replied").get_by_role("link", name="All replied tickets").click()
    expect(page).to_have_url(live_server.url + "/desk/tickets/?queue=replied")
    expect(page.locator("main")).to_contain_text(replied.number)
    expect(page.locator("main")).not_to_contain_text(mine.number)

    # Opening the ticket marks it seen: back home, the entry is gone.
    page.goto(live_server.url + "/desk/")
    panel(page, "Requester replied").get_by_role("link", name=replied.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VPN drops every hour")
    page.goto(live_server.url + "/desk/")
    # Empty panels say so in words.
    expect(panel(page, "Requester replied")).to_contain_text(
        "No requester has replied since you last looked"
    )

    # On a phone the panels stack with no horizontal scroll.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/desk/")
    expect(panel(page, "My tickets by SLA due")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_manager_sees_team_counts_and_opens_the_unassigned_queue(
    live_server, page, manager, requester, service_desk_team
):
    unassigned = make_ticket(
        requester=requester,
        actor=manager,
        assignment_team=service_desk_team,
        short_description="Nobody has this yet",
    )
    sign_in(page, live_server.url, manager.email)
    counts = page.get_by_role("region", name="Teams right now")
    expect(counts).to_be_visible()
    expect(counts.get_by_role("row", name="Service Desk")).to_contain_text("1")
    counts.get_by_role("link", name="1 unassigned in Service Desk").click()
    expect(page).to_have_url(
        live_server.url + f"/desk/tickets/?queue=open&team={service_desk_team.pk}&unassigned=true"
    )
    expect(page.locator("main")).to_contain_text(unassigned.number)


def test_a_requester_is_refused_the_desk_home(live_server, page, requester):
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + "/desk/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")
