"""Reopening a resolved ticket from the portal, inside and outside the desk's window."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories.tickets import make_ticket
from tickets.models import DeskPolicy, Ticket

from .conftest import resolve

pytestmark = pytest.mark.django_db

RESOLVED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def resolved_in_march(requester, agent):
    with time_machine.travel(RESOLVED_AT, tick=False):
        return resolve(make_ticket(requester=requester), agent)


def detail(ticket):
    return reverse("tickets:portal-ticket-detail", args=[ticket.number])


def reopen(ticket):
    return reverse("tickets:portal-ticket-reopen", args=[ticket.number])


def test_inside_the_window_the_requester_sees_reopen_and_it_works(
    client_as, resolved_in_march, requester
):
    client = client_as(requester)
    with time_machine.travel(RESOLVED_AT + dt.timedelta(days=6, hours=23), tick=False):
        html = client.get(detail(resolved_in_march)).content.decode()
        assert (
            '<button type="submit" class="secondary">This did not fix it — reopen</button>' in html
        )
        assert "Reply and reopen" not in html
        response = client.post(reopen(resolved_in_march), {"reason": "Drops again at noon."})
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=resolved_in_march.pk)
    assert ticket.status == "in_progress"
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None


def test_after_the_window_there_is_no_button_and_a_post_is_refused(
    client_as, resolved_in_march, requester
):
    client = client_as(requester)
    with time_machine.travel(RESOLVED_AT + dt.timedelta(days=7, minutes=1), tick=False):
        assert (
            "This did not fix it — reopen".encode()
            not in client.get(detail(resolved_in_march)).content
        )
        response = client.post(reopen(resolved_in_march), follow=True)
    assert b"The time to reopen this ticket has passed" in response.content
    assert Ticket.objects.get(pk=resolved_in_march.pk).status == "resolved"


def test_the_window_comes_from_the_desk_policy(client_as, resolved_in_march, requester):
    policy = DeskPolicy.objects.first() or DeskPolicy()
    policy.reopen_window_days = 30
    policy.save()
    with time_machine.travel(RESOLVED_AT + dt.timedelta(days=20), tick=False):
        client_as(requester).post(reopen(resolved_in_march))
    assert Ticket.objects.get(pk=resolved_in_march.pk).status == "in_progress"


def test_an_open_ticket_offers_no_reopen(client_as, requester):
    ticket = make_ticket(requester=requester)
    client = client_as(requester)
    assert "This did not fix it — reopen".encode() not in client.get(detail(ticket)).content
    response = client.post(reopen(ticket), follow=True)
    assert b"Only a resolved ticket of yours can be reopened." in response.content
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_a_watcher_cannot_reopen_someone_elses_ticket(
    client_as, resolved_in_march, other_requester
):
    resolved_in_march.watchers.add(other_requester)
    client = client_as(other_requester)
    with time_machine.travel(RESOLVED_AT + dt.timedelta(days=1), tick=False):
        assert (
            "This did not fix it — reopen".encode()
            not in client.get(detail(resolved_in_march)).content
        )
        client.post(reopen(resolved_in_march))
    assert Ticket.objects.get(pk=resolved_in_march.pk).status == "resolved"


def test_a_stranger_gets_404(client_as, resolved_in_march, other_requester):
    assert client_as(other_requester).post(reopen(resolved_in_march)).status_code == 404
