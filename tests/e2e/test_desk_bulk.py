"""Bulk actions and export from the agent's queue page, in a real browser."""

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import TicketStatus
from tickets.models import Comment, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_queue(page, live_server, agent):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")


def _tick(page, *tickets):
    for ticket in tickets:
        page.get_by_label(f"Select {ticket.number}").check()


def _bar(page):
    return page.get_by_role("group", name="Bulk action on selected tickets")


def _lines(page):
    return page.locator(".messages")


def test_agent_assigns_tickets_to_a_team_and_agent_and_a_stale_one_is_refused(
    live_server, page, agent, agent_other_team, requester
):
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    _open_queue(page, live_server, agent)
    _tick(page, first, second)
    # Someone else changes the second ticket after the queue was drawn.
    services.ticket_update(
        ticket=second, actor=agent_other_team, expected_version=second.version, urgency=1
    )
    bar = _bar(page)
    bar.get_by_label("Action").select_option(label="Assign")
    bar.get_by_label("Team").select_option(label="Service Desk")
    # The agent list follows the chosen team.
    expect(bar.locator("#bulk-assignee option", has_text="Alice Agent")).to_have_count(1)
    bar.get_by_label("Agent").select_option(label="Alice Agent")
    bar.get_by_role("button", name="Apply to selected").click()

    expect(_lines(page)).to_contain_text("Assign: 1 done, 1 refused.")
    expect(_lines(page)).to_contain_text(
        f"{first.number}: done — assigned to Service Desk / Alice Agent."
    )
    expect(_lines(page)).to_contain_text(
        f"{second.number}: refused — changed by Nick Network since you loaded the queue"
    )
    expect(page).to_have_url(live_server.url + "/desk/tickets/?queue=open")
    assert Ticket.objects.get(pk=first.pk).assignee == agent
    assert Ticket.objects.get(pk=second.pk).assignee is None


def test_agent_resolves_tickets_and_is_asked_for_the_notes_first(
    live_server, page, agent, requester
):
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    _open_queue(page, live_server, agent)
    _tick(page, first, second)
    bar = _bar(page)
    bar.get_by_label("Action").select_option(label="Change status")
    bar.get_by_label("New status").select_option(label="Resolved")
    bar.get_by_label("Resolution code").select_option(label="Solved (permanently)")
    bar.get_by_role("button", name="Apply to selected").click()
    # Without notes nothing is done: the message shows in the bar, naming the missing control,
    # and what was chosen stays.
    expect(bar.get_by_role("alert")).to_contain_text(
        "Resolution notes: Write the resolution notes the requesters will read."
    )
    expect(bar.get_by_label("Resolution code")).to_have_value("solved")
    expect(page.get_by_label(f"Select {first.number}")).to_be_checked()
    assert Ticket.objects.filter(status=TicketStatus.RESOLVED).count() == 0

    bar.get_by_label("Resolution notes").fill("The VPN gateway was restarted.")
    bar.get_by_role("button", name="Apply to selected").click()
    expect(_lines(page)).to_contain_text("Change status: 2 done, 0 refused.")
    expect(_lines(page)).to_contain_text(f"{first.number}: done — now resolved.")
    expect(_lines(page)).to_contain_text(f"{second.number}: done — now resolved.")
    assert Ticket.objects.filter(status=TicketStatus.RESOLVED).count() == 2


def test_agent_sets_priority_by_impact_and_urgency_and_by_override(
    live_server, page, agent, requester
):
    ticket = make_ticket(requester=requester, impact=3, urgency=3)
    _open_queue(page, live_server, agent)
    _tick(page, ticket)
    bar = _bar(page)
    bar.get_by_label("Action").select_option(label="Set priority")
    bar.get_by_label("Impact").select_option(label="1 – High (many people or a critical service)")
    bar.get_by_label("Urgency").select_option(label="1 – High (work has stopped)")
    bar.get_by_role("button", name="Apply to selected").click()
    expect(_lines(page)).to_contain_text(f"{ticket.number}: done — impact 1 × urgency 1 → P1.")

    _tick(page, ticket)
    bar.get_by_label("Action").select_option(label="Set priority")
    bar.get_by_label("Or override the priority").select_option(label="P3 – Moderate")
    bar.get_by_label("Reason", exact=True).fill("Only a test system")
    bar.get_by_role("button", name="Apply to selected").click()
    expect(_lines(page)).to_contain_text(
        f"{ticket.number}: done — priority P3 (overridden: Only a test system)."
    )


def test_agent_adds_a_reply_and_a_work_note_to_several_tickets(live_server, page, agent, requester):
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    _open_queue(page, live_server, agent)
    for label, body, line in (
        ("Add a public reply", "We are on it.", "reply sent to the requester."),
        ("Add a work note", "Gateway logs checked.", "work note added."),
    ):
        _tick(page, first, second)
        bar = _bar(page)
        bar.get_by_label("Action").select_option(label=label)
        bar.get_by_label("Message").fill(body)
        bar.get_by_role("button", name="Apply to selected").click()
        expect(_lines(page)).to_contain_text(f"{first.number}: done — {line}")
        expect(_lines(page)).to_contain_text(f"{second.number}: done — {line}")
    assert Comment.objects.filter(is_public=True, body="We are on it.").count() == 2
    assert Comment.objects.filter(is_public=False, body="Gateway logs checked.").count() == 2


def test_agent_merges_tickets_into_one(live_server, page, agent, requester):
    target = make_ticket(requester=requester, short_description="VPN down")
    other = make_ticket(requester=requester, short_description="VPN down here too")
    _open_queue(page, live_server, agent)
    _tick(page, target, other)
    bar = _bar(page)
    bar.get_by_label("Action").select_option(label="Merge into one ticket")
    bar.get_by_label("Merge into").fill(target.number)
    bar.get_by_role("button", name="Apply to selected").click()
    expect(_lines(page)).to_contain_text(
        f"{target.number}: done — kept open; 1 ticket merged into it."
    )
    expect(_lines(page)).to_contain_text(
        f"{other.number}: done — duplicate of {target.number}, resolved."
    )
    other.refresh_from_db()
    assert (other.duplicate_of_id, other.status) == (target.pk, TicketStatus.RESOLVED)


def test_agent_exports_the_view_as_csv_and_excel(live_server, page, agent, requester):
    p1 = make_ticket(requester=requester, impact=1, urgency=1, short_description="Payroll stuck")
    make_ticket(requester=requester, short_description="Mouse squeaks")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open&priority=1")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("tickets-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text("utf-8-sig"))))
    assert [row[0] for row in rows] == ["Number", p1.number]  # the filter of the view

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (xlsx)").click()
    book = openpyxl.load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    assert [row[0] for row in book["Tickets"].iter_rows(values_only=True)] == [
        "Number",
        p1.number,
    ]
