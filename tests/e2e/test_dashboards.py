"""A service desk manager reads the dashboards: filters, charts, a breach drill-down, CSV."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from itsm.calendars.models import BusinessCalendar
from itsm.dashboards.rollup import dashboard_rollup_refresh
from tests.dashboards.conftest import add_clock, add_ticket
from tests.e2e.test_sign_in import sign_in
from tickets.choices import Channel, TicketStatus
from tickets.models import SlaPolicy
from tickets.sla.rules import SlaMetric, SlaState

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def sla_policy(db):
    calendar = BusinessCalendar.objects.create(name="E2E 24x7", timezone="UTC", is_24x7=True)
    return SlaPolicy.objects.create(
        name="E2E", order=1, first_response_minutes=60, resolution_minutes=480, calendar=calendar
    )


@pytest.fixture
def recent_history(sla_policy, requester, agent, agent_other_team, service_desk_team, other_team):
    now = timezone.now()
    tickets = {}
    for index, (team, assignee) in enumerate(
        [(service_desk_team, agent), (service_desk_team, agent), (other_team, agent_other_team)]
    ):
        created = now - timedelta(days=3 + index)
        ticket = add_ticket(
            f"T{index + 1}", requester=requester, team=team, assignee=assignee,
            status=TicketStatus.RESOLVED, created=created, resolved=created + timedelta(hours=6),
            fcr=index != 1, channel=[Channel.PORTAL, Channel.EMAIL, Channel.PHONE][index],
        )  # fmt: skip
        add_clock(ticket, sla_policy, SlaMetric.FIRST_RESPONSE, state=SlaState.MET, elapsed=20,
                  stopped=created + timedelta(minutes=20))  # fmt: skip
        add_clock(ticket, sla_policy, SlaMetric.RESOLUTION,
                  state=SlaState.MET if index else SlaState.BREACHED,
                  elapsed=360 if index else 600, stopped=created + timedelta(hours=6))  # fmt: skip
    breached = add_ticket(
        "T9", requester=requester, team=service_desk_team, assignee=agent,
        status=TicketStatus.IN_PROGRESS, created=now - timedelta(days=2),
    )  # fmt: skip
    add_clock(breached, sla_policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED,
              due=now - timedelta(hours=3))  # fmt: skip
    tickets["breached"] = breached
    # The overview reads the rollup: built the way the beat task builds it.
    dashboard_rollup_refresh()
    return tickets


def test_manager_filters_the_overview_drills_into_a_breach_and_downloads_csv(
    live_server, page, manager, service_desk_team, recent_history
):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + "/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service desk overview")
    expect(page.locator("#card-sla_compliance")).to_have_attribute("data-rendered", "true")

    # A narrower range and one team: the page reloads with the filters in the URL.
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    page.get_by_label("From", exact=True).fill(week_ago)
    page.get_by_label("Team", exact=True).select_option(label="Service Desk")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(rf"date_from={week_ago}.*team={service_desk_team.pk}"))
    # The heading names the filtered team, not the manager's whole scope.
    expect(page.get_by_test_id("figures-for")).to_contain_text("Figures for Service Desk,")
    expect(page.get_by_test_id("figures-for")).not_to_contain_text("whole service desk")
    for metric in ("sla_compliance", "created_resolved", "csat", "workload_team"):
        card = page.locator(f"#card-{metric}")
        expect(card).to_have_attribute("data-rendered", "true")
        expect(card.locator("canvas")).to_be_visible()
    drawn = page.evaluate(
        "() => Array.from(document.querySelectorAll('.dash-card canvas'))"
        ".filter(c => c._chart).length"
    )
    assert drawn >= 8
    # The table view holds the same numbers: Service Desk only (2 resolved, 1 breached).
    team_card = page.locator("#card-workload_team")
    team_card.get_by_text("Table view").click()
    expect(team_card.locator("tbody tr")).to_have_count(1)
    expect(team_card.locator("tbody tr").first).to_contain_text("Service Desk")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "dashboards-overview.png"), full_page=True)

    # CSV of a chart's data.
    with page.expect_download() as download_info:
        page.locator("#card-created_resolved .csv-link").click()
    download = download_info.value
    assert download.suggested_filename.startswith("created_resolved_")
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text()
    assert content.splitlines()[0] == "Day,Created,Resolved"

    # From the breach count to the ticket.
    sla_now = page.locator("#card-sla_now")
    expect(sla_now).to_have_attribute("data-rendered", "true")
    # Breached is drawn in the danger colour (red), at risk in the warning colour (amber).
    colours = sla_now.locator("canvas").evaluate(
        "c => c._chart.data.datasets.map(d => [d.label, d.backgroundColor])"
    )
    assert colours == [["Breached", "#b91c1c"], ["At risk", "#b45309"]]
    sla_now.get_by_role("link", name="1").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Breached")
    number = recent_history["breached"].number
    page.get_by_role("link", name=number).click()
    expect(page).to_have_url(f"{live_server.url}/desk/tickets/{number}/")
    assert dialogs == []


def test_manager_pages_through_a_long_breach_list_and_downloads_it_whole(
    live_server, page, manager, requester, service_desk_team, sla_policy
):
    now = timezone.now()
    for index in range(105):
        ticket = add_ticket(
            f"T{500 + index}", requester=requester, team=service_desk_team,
            status=TicketStatus.IN_PROGRESS, created=now - timedelta(days=2),
        )  # fmt: skip
        add_clock(ticket, sla_policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED,
                  due=now - timedelta(hours=200 - index))  # fmt: skip
    sign_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}/dashboards/sla/tickets/?metric=resolution&which=breached")
    expect(page.get_by_test_id("drill-range")).to_have_text("Tickets 1–100 of 105")
    expect(page.locator("tbody tr")).to_have_count(100)
    expect(page.locator("tbody tr").first).to_contain_text("INC8000500")  # most overdue

    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_test_id("drill-range")).to_have_text("Tickets 101–105 of 105")
    expect(page.locator("tbody tr")).to_have_count(5)
    expect(page.locator("tbody tr").last).to_contain_text("INC8000604")
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_test_id("drill-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("sla_breached_resolution_")
    lines = Path(download.path()).read_text().splitlines()
    assert lines[0] == "Ticket,Short description,Priority,Team,Assignee,Due"
    assert len(lines) == 1 + 105  # every ticket, not one page
    page.get_by_role("link", name="First page").click()
    expect(page.get_by_test_id("drill-range")).to_have_text("Tickets 1–100 of 105")
