"""Descriptions and comments have a configurable size limit, enforced by the services so that
the portal, the desk, the API (and later e-mail) all refuse the same text the same way."""

import pytest

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.exceptions import InvalidTicketInput
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db

ONE_MB = "x" * 1_048_576
TWO_MB = "y" * 2 * 1_048_576


def test_the_limits_come_from_settings(requester, settings):
    settings.ITSM_DESCRIPTION_MAX_CHARS = 10
    with pytest.raises(InvalidTicketInput, match="is 11 characters long; the limit is 10"):
        make_ticket(requester=requester, description="x" * 11)
    assert make_ticket(requester=requester, description="x" * 10).description == "x" * 10


def test_the_portal_form_refuses_a_1_mb_description(client_as, requester):
    response = client_as(requester).post(
        "/portal/tickets/report/",
        {"short_description": "Printer", "description": ONE_MB, "urgency": 3},
    )
    assert response.status_code == 400
    assert "the limit is 20,000" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_api_refuses_a_1_mb_description(api_as, requester, agent):
    for user in (requester, agent):
        response = api_as(user).post(
            "/api/v1/incidents/",
            {"short_description": "Printer", "description": ONE_MB},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["field"] == "description"
        assert "1,048,576 characters long" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_the_api_refuses_a_1_mb_description_on_edit(api_as, requester, agent):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).patch(
        f"/api/v1/incidents/{ticket.number}/",
        {"version": ticket.version, "description": ONE_MB},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "description"
    ticket.refresh_from_db()
    assert ticket.description == ""


def test_the_api_refuses_a_2_mb_comment(api_as, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(requester).post(
        f"/api/v1/incidents/{ticket.number}/comments/", {"body": TWO_MB}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert "the limit is 20,000" in response.json()["detail"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "path", ["/desk/tickets/{number}/reply/", "/portal/tickets/{number}/reply/"]
)
def test_the_reply_forms_refuse_a_2_mb_comment(client_as, requester, agent, path):
    ticket = make_ticket(requester=requester)
    user = agent if path.startswith("/desk/") else requester
    response = client_as(user).post(path.format(number=ticket.number), {"body": TWO_MB})
    assert response.status_code == 400
    assert "2,097,152 characters long" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_at_the_limit_is_stored(requester, agent, settings):
    settings.ITSM_COMMENT_MAX_CHARS = 50
    ticket = make_ticket(requester=requester)
    comment = services.comment_add(ticket=ticket, author=agent, body="z" * 50, is_public=True)
    assert len(comment.body) == 50
