"""/api/v1/incidents/{number}/declare-major/ and /api/v1/major-incidents/."""

import pytest

from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def p1(requester, agent):
    return make_ticket(requester=requester, actor=agent, impact=1, urgency=1)


def _declare(client, ticket, manager, **extra):
    return client.post(
        f"/api/v1/incidents/{ticket.number}/declare-major/",
        {
            "reason": "Everyone is affected",
            "manager": manager.email,
            "communications_owner": manager.email,
            **extra,
        },
        format="json",
    )


def test_declaring_through_the_api_returns_the_major_incident(api_as, manager, p1):
    response = _declare(api_as(manager), p1, manager, version=p1.version)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == p1.number and body["status"] == "active"
    assert body["manager"] == manager.email and body["child_count"] == 0
    assert body["cadence_minutes"] == 30


def test_declaring_with_a_stale_version_is_409_and_twice_is_400(api_as, manager, p1):
    client = api_as(manager)
    assert _declare(client, p1, manager, version=p1.version + 5).status_code == 409
    assert _declare(client, p1, manager).status_code == 201
    again = _declare(client, p1, manager)
    assert again.status_code == 400 and again.json()["code"] == "transition_not_allowed"


def test_bad_declare_input_gets_field_errors(api_as, manager, p1):
    response = api_as(manager).post(
        f"/api/v1/incidents/{p1.number}/declare-major/",
        {"manager": "ghost@example.com"},
        format="json",
    )
    assert response.status_code == 400
    assert {"reason", "manager", "communications_owner"} <= set(response.json())


def test_requesters_cannot_use_the_major_incident_api(api_as, requester, manager, p1):
    assert _declare(api_as(requester), p1, manager).status_code == 403
    assert api_as(requester).get("/api/v1/major-incidents/").status_code == 403


def test_updates_and_resolve_actions(api_as, manager, p1):
    client = api_as(manager)
    _declare(client, p1, manager)
    url = f"/api/v1/major-incidents/{p1.number}/"
    posted = client.post(f"{url}updates/", {"body": "Vendor engaged", "is_public": True})
    assert posted.status_code == 201 and posted.json()["is_public"] is True
    listed = client.get(f"{url}updates/").json()
    assert [u["body"] for u in listed] == ["Vendor engaged"]
    assert client.post(f"{url}resolve/", {}, format="json").status_code == 400
    resolved = client.post(f"{url}resolve/", {"public_note": "Fixed"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    page = client.get("/api/v1/major-incidents/?status=resolved").json()
    assert [m["number"] for m in page["results"]] == [p1.number]


def test_the_endpoints_are_in_the_openapi_schema(api_as, manager):
    schema = api_as(manager).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/incidents/{number}/declare-major/" in paths
    assert "/api/v1/major-incidents/{number}/resolve/" in paths
    assert "/api/v1/problems/{number}/publish-known-error/" in paths
    assert "/api/v1/problems/{number}/link-incidents/" in paths
    assert "/api/v1/problems/{number}/transition/" in paths
