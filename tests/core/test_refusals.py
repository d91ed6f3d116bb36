"""The one mapping of refused use cases to HTML (itsm/core/refusals.py), through real views.
The ticket page's own refusals (htmx fragments, re-rendered page, stale reply) are in
tests/tickets/test_views_desk.py."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from itsm.core.exceptions import GuardFailed, StaleVersion
from itsm.core.refusals import errors_into
from tests.factories.tickets import make_ticket
from tickets import services


@pytest.fixture
def withdrawn(db, requester):
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


class _NoteForm(forms.Form):
    title = forms.CharField()
    body = forms.CharField()


def _bound_note_form() -> _NoteForm:
    form = _NoteForm({"title": "Mine", "body": "Typed"})
    assert form.is_valid()
    return form


def test_errors_into_puts_a_domain_error_on_the_field_it_names():
    form = _bound_note_form()
    with errors_into(form) as refusal:
        raise GuardFailed("Say more.", field="body")
    assert form.errors == {"body": ["Say more."]}
    assert refusal.status == 400


def test_errors_into_puts_a_stale_version_on_the_form_with_its_409():
    form = _bound_note_form()
    with errors_into(form) as refusal:
        raise StaleVersion("Changed by someone else.", current_version=3)
    assert form.non_field_errors() == ["Changed by someone else."]
    assert (refusal.status, refusal.is_stale) == (409, True)


def test_errors_into_spreads_a_validation_error_over_the_fields_and_keeps_unknown_ones():
    form = _bound_note_form()
    with errors_into(form) as refusal:
        raise ValidationError({"title": "Too short.", "planned_end": "After the start."})
    assert form.errors["title"] == ["Too short."]
    assert form.non_field_errors() == ["After the start."]
    assert refusal.status == 400


def test_errors_into_is_silent_when_nothing_is_refused():
    form = _bound_note_form()
    with errors_into(form) as refusal:
        pass
    assert (refusal.status, refusal.error, form.errors) == (200, None, {})
