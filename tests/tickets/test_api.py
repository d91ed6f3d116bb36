import pytest

from tests.factories.tickets import make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_agent_creates_an_incident_for_a_caller(api_as, agent, requester):
    response = api_as(agent).post(
        "/api/v1/incidents/",
        {
            "short_description": "Printer on floor 3 jams",
            "requester": requester.email,
            "channel": "phone",
            "impact": 2,
            "urgency": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("INC")
    assert body["priority"] == 3
    assert body["requester"] == requester.email
    assert body["version"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "short_description"),
        ({"short_description": "x" * 201}, "short_description"),
        ({"short_description": "ok", "impact": 9}, "impact"),
        ({"short_description": "ok", "category": 999999}, "category"),
        ({"short_description": "ok", "requester": "ghost@example.com"}, "requester"),
    ],
)
def test_bad_input_gets_field_errors_and_saves_nothing(api_as, agent, payload, field):
    response = api_as(agent).post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_illegal_transition_is_400_with_a_clear_message(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).post(
        f"/api/v1/incidents/{ticket.number}/transition/",
        {"to_status": "closed", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "transition_not_allowed"
    assert "cannot go from new to closed" in response.json()["detail"]


def test_stale_version_gets_409(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    client = api_as(agent)
    first = client.patch(
        f"/api/v1/incidents/{ticket.number}/", {"version": 1, "impact": 1}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    second = client.patch(
        f"/api/v1/incidents/{ticket.number}/", {"version": 1, "urgency": 1}, format="json"
    )
    assert second.status_code == 409
    assert second.json()["code"] == "stale_version"
    assert second.json()["current_version"] == 2


def test_resolve_through_the_api(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).post(
        f"/api/v1/incidents/{ticket.number}/transition/",
        {
            "to_status": "resolved",
            "version": 1,
            "resolution_code": "solved",
            "resolution_notes": "Replaced the toner.",
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"


def test_assign_action(api_as, agent, requester, service_desk_team):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).post(
        f"/api/v1/incidents/{ticket.number}/assign/",
        {"version": 1, "team": service_desk_team.name, "assignee": agent.email},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["assignee"] == agent.email


def test_requests_and_incidents_are_separate_resources(api_as, agent, requester):
    incident = make_ticket(requester=requester)
    assert api_as(agent).get(f"/api/v1/requests/{incident.number}/").status_code == 404


def test_filters_and_unknown_ordering_never_500(api_as, agent, requester):
    make_ticket(requester=requester, impact=1, urgency=1)
    make_ticket(requester=requester)
    client = api_as(agent)
    assert client.get("/api/v1/incidents/", {"priority": 1}).json()["results"][0]["priority"] == 1
    assert (
        client.get("/api/v1/incidents/", {"ordering": "password; DROP TABLE x"}).status_code == 200
    )
    assert client.get("/api/v1/incidents/", {"priority": "abc"}).status_code == 400


@pytest.mark.parametrize("rows", [5, 40])
def test_api_list_runs_a_fixed_number_of_queries(
    api_as, agent, requester, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        make_ticket(requester=requester)
    client = api_as(agent)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/incidents/", {"page_size": 50})
    assert len(response.json()["results"]) == rows


def test_tickets_are_in_the_openapi_schema(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/incidents/",
        "/api/v1/incidents/{number}/transition/",
        "/api/v1/incidents/{number}/assign/",
        "/api/v1/incidents/{number}/comments/",
        "/api/v1/requests/",
    ):
        assert path in schema["paths"]
