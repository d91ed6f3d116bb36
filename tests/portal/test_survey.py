"""The satisfaction survey: service rules and the one-click form on the ticket page."""

import pytest
from django.urls import reverse

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused, TransitionNotAllowed
from tests.factories.tickets import make_ticket
from tickets.exceptions import InvalidTicketInput
from tickets.models import SatisfactionSurvey
from tickets.survey.services import survey_submit

pytestmark = pytest.mark.django_db


def survey_url(ticket):
    return reverse("tickets:portal-ticket-survey", args=[ticket.number])


def detail_url(ticket):
    return reverse("tickets:portal-ticket-detail", args=[ticket.number])


# --- Service ------------------------------------------------------------------------------


def test_the_requester_rates_a_resolved_ticket_and_it_is_audited(resolved_ticket, requester):
    survey = survey_submit(
        ticket=resolved_ticket, respondent=requester, rating=4, comment=" Quick fix. "
    )
    assert (survey.rating, survey.comment, survey.respondent) == (4, "Quick fix.", requester)
    event = AuditEvent.objects.get(action="survey_answered", record_id=resolved_ticket.pk)
    assert event.actor == requester
    assert event.changes["rating"] == {"from": None, "to": 4}


def test_answering_again_replaces_the_answer_and_audits_the_change(resolved_ticket, requester):
    first = survey_submit(ticket=resolved_ticket, respondent=requester, rating=2)
    second = survey_submit(ticket=resolved_ticket, respondent=requester, rating=5, comment="OK")
    assert second.pk == first.pk
    assert SatisfactionSurvey.objects.get().rating == 5
    changed = AuditEvent.objects.get(action="survey_changed")
    assert changed.changes["rating"] == {"from": 2, "to": 5}


def test_the_same_answer_twice_writes_no_second_event(resolved_ticket, requester):
    survey_submit(ticket=resolved_ticket, respondent=requester, rating=3)
    survey_submit(ticket=resolved_ticket, respondent=requester, rating=3)
    assert AuditEvent.objects.filter(action__startswith="survey_").count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None])
def test_a_rating_outside_one_to_five_is_refused(resolved_ticket, requester, rating):
    with pytest.raises(InvalidTicketInput, match="from 1 to 5"):
        survey_submit(ticket=resolved_ticket, respondent=requester, rating=rating)
    assert SatisfactionSurvey.objects.count() == 0


def test_an_open_ticket_cannot_be_rated(requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(TransitionNotAllowed, match="once it is resolved"):
        survey_submit(ticket=ticket, respondent=requester, rating=5)
    assert SatisfactionSurvey.objects.count() == 0


def test_only_the_requester_may_rate_even_when_they_can_see_the_ticket(
    resolved_ticket, other_requester, agent
):
    resolved_ticket.watchers.add(other_requester)
    for person in (other_requester, agent):
        with pytest.raises(PermissionRefused):
            survey_submit(ticket=resolved_ticket, respondent=person, rating=5)
    assert SatisfactionSurvey.objects.count() == 0


# --- Page ---------------------------------------------------------------------------------


def test_a_resolved_ticket_shows_five_rating_buttons(client_as, resolved_ticket, requester):
    html = client_as(requester).get(detail_url(resolved_ticket)).content.decode()
    assert "How did we do?" in html
    for rating in range(1, 6):
        assert f'name="rating" value="{rating}"' in html
    assert 'for="survey-comment"' in html


def test_an_open_ticket_shows_no_survey(client_as, requester):
    ticket = make_ticket(requester=requester)
    assert b"How did we do?" not in client_as(requester).get(detail_url(ticket)).content


def test_one_click_stores_the_rating_and_the_page_thanks_with_it(
    client_as, resolved_ticket, requester
):
    client = client_as(requester)
    response = client.post(survey_url(resolved_ticket), {"rating": "5", "comment": "Great"})
    assert response.status_code == 302
    assert response.url == detail_url(resolved_ticket) + "#survey"
    assert SatisfactionSurvey.objects.get(ticket=resolved_ticket).rating == 5
    html = client.get(detail_url(resolved_ticket)).content.decode()
    assert "Thank you for your rating: <strong>5 out of 5</strong>" in html
    assert "Change your answer" in html


def test_someone_elses_ticket_answers_404(client_as, resolved_ticket, other_requester):
    response = client_as(other_requester).post(survey_url(resolved_ticket), {"rating": "1"})
    assert response.status_code == 404
    assert SatisfactionSurvey.objects.count() == 0


@pytest.mark.parametrize("rating", ["0", "6", ""])
def test_a_bad_rating_is_shown_as_an_error(client_as, resolved_ticket, requester, rating):
    response = client_as(requester).post(survey_url(resolved_ticket), {"rating": rating})
    assert response.status_code == 400
    assert b"Choose a rating from 1 to 5." in response.content
    assert SatisfactionSurvey.objects.count() == 0


def test_rating_an_open_ticket_through_the_page_is_refused(client_as, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(requester).post(survey_url(ticket), {"rating": "5"})
    assert response.status_code == 400
    assert b"once it is resolved" in response.content
    assert SatisfactionSurvey.objects.count() == 0


def test_the_survey_is_post_only(client_as, resolved_ticket, requester):
    assert client_as(requester).get(survey_url(resolved_ticket)).status_code == 405
