"""Browser journeys: history and order details read as words, dates in the viewer's own
timezone, and a major incident's elapsed time that keeps counting."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.catalog import make_catalog_item
from tests.factories.tickets import make_ticket
from tickets.catalog.services import request_order
from tickets.major.models import MajorIncident
from tickets.major.services import major_incident_declare
from tickets.models import CatalogField
from tickets.services import ticket_set_priority

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_and_the_requester_read_a_request_as_words_in_their_own_timezones(
    live_server, page, requester, agent, service_desk_team
):
    item = make_catalog_item(
        name="New laptop",
        fields=[
            ("needed_by", "date", True, ()),
            ("accessories", "multi_choice", False, ("Dock", "Headset")),
        ],
        fulfilment_team=service_desk_team,
    )
    CatalogField.objects.filter(item=item, name="needed_by").update(label="Date you need it")
    ticket = request_order(
        item=item,
        requester=requester,
        actor=requester,
        form_data={"needed_by": "2026-12-24", "accessories": ["Dock", "Headset"]},
    )
    ticket_set_priority(ticket=ticket, actor=agent, expected_version=None, priority=1, reason="VIP")
    agent.timezone = "Asia/Tokyo"
    agent.save(update_fields=["timezone"])
    tokyo = ticket.created_at.astimezone(ZoneInfo("Asia/Tokyo"))

    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    details = page.locator(".order-answers")
    expect(details).to_contain_text("Date you need it")
    expect(details).to_contain_text("24 Dec 2026")
    expect(details.locator(".value-list li")).to_have_text(["Dock", "Headset"])
    expect(details).not_to_contain_text("needed_by")
    expect(details).not_to_contain_text("['Dock'")

    history = page.locator(".conversation")
    override = history.locator(".event", has_text="Overrode the priority")
    expect(override.locator('[data-field="priority"]')).to_have_text(
        "Priority: P5 – Planning → P1 – Critical"
    )
    expect(history).not_to_contain_text("Priorityoverridden")
    expect(history).not_to_contain_text("version")
    expect(page.locator(".ticket-head")).to_contain_text(f"opened {tokyo.day} {tokyo:%b %Y, %H:%M}")

    page.context.clear_cookies()
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + f"/portal/catalog/requests/{ticket.number}/")
    answers = page.locator(".order-answers")
    expect(answers).to_contain_text("Date you need it")
    expect(answers).to_contain_text("24 Dec 2026")
    expect(answers.locator(".value-list li")).to_have_text(["Dock", "Headset"])


def test_the_major_incident_page_shows_the_elapsed_time_as_a_ticking_duration(
    live_server, page, manager, agent, requester
):
    ticket = make_ticket(requester=requester, actor=agent, short_description="Payroll is down")
    major = major_incident_declare(
        ticket=ticket,
        actor=manager,
        reason="Nobody can be paid",
        manager=manager,
        communications_owner=manager,
    )
    MajorIncident.objects.filter(pk=major.pk).update(
        declared_at=timezone.now() - timedelta(minutes=12, seconds=5)
    )
    page.clock.install()
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + f"/desk/major-incidents/{major.pk}/")
    elapsed = page.locator("#elapsed")
    expect(elapsed).to_have_text("12 min")
    expect(page.locator(".ticket-head")).to_contain_text("12 min elapsed")
    page.clock.fast_forward("03:00")
    expect(elapsed).to_have_text("15 min")
    expect(page.locator(".ticket-head")).not_to_contain_text(re.compile(r"\d:\d\d:\d\d"))
