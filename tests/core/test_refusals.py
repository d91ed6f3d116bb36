"""The one mapping of refused use cases to HTML (itsm/core/refusals.py), through real views.
The ticket page's own refusals (htmx fragments, re-rendered page, stale reply) are in
tests/tickets/test_views_desk.py."""

import pytest
from django.urls import reverse

from tests.factories.tickets import make_ticket
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn(requester):
    ticket = make_ticket(requester=requester)
    services.ticket_transition(
        ticket=ticket, to_status="cancelled", actor=requester, expected_version=None, reason="x"
    )
    return ticket


def withdraw_url(ticket) -> str:
    return reverse("tickets:portal-ticket-withdraw", args=[ticket.number])


def test_a_full_page_refusal_goes_back_to_the_page_it_came_from_with_the_message(
    client_as, requester, withdrawn
):
    page = reverse("tickets:portal-ticket-detail", args=[withdrawn.number])
    client = client_as(requester)
    response = client.post(withdraw_url(withdrawn), headers={"referer": f"http://testserver{page}"})
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{page}"
    shown = client.get(page).content.decode()
    assert "flash-error" in shown


def test_a_refusal_never_redirects_to_another_site(client_as, requester, withdrawn):
    response = client_as(requester).post(
        withdraw_url(withdrawn), headers={"referer": "https://evil.example/phish"}
    )
    assert response.status_code == 400
    assert "That was not done" in response.content.decode()


def test_a_refusal_without_a_page_to_go_back_to_is_said_on_a_page_of_its_own(
    client_as, requester, withdrawn
):
    response = client_as(requester).post(withdraw_url(withdrawn))
    html = response.content.decode()
    assert response.status_code == 400
    assert "That was not done" in html
    assert 'class="form-error"' in html


def test_an_htmx_refusal_without_a_page_is_a_fragment_for_the_sent_form(
    client_as, requester, withdrawn
):
    response = client_as(requester).post(
        withdraw_url(withdrawn), headers={"HX-Request": "true", "HX-Trigger": "withdraw-form"}
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#withdraw-form .refusal"
    assert "<html" not in response.content.decode()


def test_an_unsafe_trigger_id_is_not_put_into_a_selector(client_as, requester, withdrawn):
    response = client_as(requester).post(
        withdraw_url(withdrawn), headers={"HX-Request": "true", "HX-Trigger": "x, body"}
    )
    assert response["HX-Retarget"] == "#main"
