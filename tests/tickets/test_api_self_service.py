"""POST /api/v1/incidents/ from outside the desk takes exactly what the portal's report form
takes; triage fields are the desk's, and the answer names each one it refused."""

import pytest

from itsm.accounts.models import Team
from tickets.api.serializers import SelfServiceCreateSerializer
from tickets.forms import PortalIncidentForm
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

TRIAGE = {"impact": 1, "urgency": 1, "assignment_team": "Network", "channel": "phone"}


@pytest.fixture
def network(db):
    return Team.objects.create(name="Network", email="net@example.com")


def test_the_api_takes_from_a_requester_what_the_portal_form_takes():
    assert set(SelfServiceCreateSerializer().fields) == set(PortalIncidentForm.base_fields)


@pytest.mark.parametrize("persona", ["requester", "cab_member", "knowledge_editor"])
def test_triage_fields_from_outside_the_desk_are_refused_by_name(request, api_as, network, persona):
    user = request.getfixturevalue(persona)
    response = api_as(user).post(
        "/api/v1/incidents/", {"short_description": "VPN is down", **TRIAGE}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"impact", "assignment_team", "channel"}
    assert "Only the service desk sets this" in response.json()["impact"][0]
    assert not Ticket.objects.exists()


def test_a_requester_raises_with_the_portal_fields(api_as, requester):
    response = api_as(requester).post(
        "/api/v1/incidents/",
        {"short_description": "VPN is down", "description": "since 9", "urgency": 1},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["impact"], body["urgency"], body["channel"]) == (3, 1, "api")
    assert body["priority"] != 1
    assert body["requester"] == requester.email
    assert body["assignment_team"] is None


def test_the_desk_still_triages_through_the_api(api_as, agent, requester, network):
    response = api_as(agent).post(
        "/api/v1/incidents/",
        {"short_description": "VPN is down", "requester": requester.email, **TRIAGE},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["priority"], body["assignment_team"], body["channel"]) == (1, "Network", "phone")
