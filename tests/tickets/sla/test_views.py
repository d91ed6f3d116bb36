"""SLA on the desk and in the portal: badges, the breaching-soon queue, sorting by due time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets.sla.services import sla_sweep

pytestmark = pytest.mark.django_db


def test_queue_rows_show_sla_badges_with_a_due_time(client_as, agent, requester):
    make_ticket(requester=requester, impact=1, urgency=1)
    html = client_as(agent).get("/desk/tickets/", {"queue": "open"}).content.decode()
    assert 'class="sla-cell col-sla"' in html
    assert "Response" in html
    assert "data-due=" in html


def test_breaching_soon_queue_holds_tickets_near_or_past_their_due_time(
    client_as, agent, requester
):
    urgent = make_ticket(
        requester=requester, impact=1, urgency=1, short_description="Core switch down"
    )
    make_ticket(requester=requester, short_description="Mouse squeaks")  # P5: days away
    html = client_as(agent).get("/desk/tickets/", {"queue": "breaching"}).content.decode()
    assert urgent.number in html
    assert "Mouse squeaks" not in html


def test_breached_ticket_shows_breached_after_the_sweep(client_as, agent, requester):
    ticket = make_ticket(requester=requester, impact=1, urgency=1)
    with time_machine.travel(timezone.now() + timedelta(hours=5), tick=False):
        sla_sweep()
        html = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
        queue = client_as(agent).get("/desk/tickets/", {"queue": "breaching"}).content.decode()
    assert 'data-sla-state="breached"' in html
    assert ticket.number in queue


def test_ticket_page_shows_business_time_left(client_as, agent, requester):
    ticket = make_ticket(requester=requester, impact=1, urgency=1)
    html = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert " left" in html
    fragment = client_as(agent).get(f"/desk/tickets/{ticket.number}/sla/").content.decode()
    assert "Resolution" in fragment


def test_sorting_by_sla_due_puts_the_earliest_due_first(client_as, agent, requester):
    late = make_ticket(requester=requester, short_description="Low one")
    soon = make_ticket(requester=requester, impact=1, urgency=1, short_description="Urgent one")
    html = (
        client_as(agent)
        .get("/desk/tickets/", {"queue": "open", "sort": "sla_due"})
        .content.decode()
    )
    assert html.index(soon.number) < html.index(late.number)


def test_requesters_see_when_to_expect_an_answer(client_as, requester):
    ticket = make_ticket(requester=requester, impact=2, urgency=2)
    html = client_as(requester).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "We aim to respond by" in html
    assert "We aim to resolve this by" in html
