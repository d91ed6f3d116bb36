"""/api/v1/problems/: shapes, filters, actions, 400/409."""

import pytest

from itsm.accounts.roles import Role
from problems import services
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem_manager(db):
    return UserFactory(email="paula@example.com", roles=[Role.PROBLEM_MANAGER])


def test_create_read_and_filter_problems(api_as, problem_manager, agent):
    client = api_as(problem_manager)
    vpn = ServiceFactory(name="VPN")
    created = client.post(
        "/api/v1/problems/",
        {"statement": "VPN drops", "service": "VPN", "priority": 2, "rca_method": "five_whys"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"].startswith("PRB") and body["service"] == "VPN"
    assert body["status"] == "new" and body["incident_count"] == 0 and "version" in body
    services.problem_create(actor=problem_manager, statement="Mail slow")
    listed = client.get(f"/api/v1/problems/?service={vpn.pk}").json()
    assert [p["number"] for p in listed["results"]] == [body["number"]]
    assert client.get(f"/api/v1/problems/{body['number']}/").json()["statement"] == "VPN drops"
    assert api_as(agent).get("/api/v1/problems/?status=open").json()["count"] == 2


def test_bad_input_is_400_with_field_errors(api_as, problem_manager):
    response = api_as(problem_manager).post(
        "/api/v1/problems/", {"priority": 9, "rca_analysis": [1]}, format="json"
    )
    assert response.status_code == 400
    assert {"statement", "priority", "rca_analysis"} <= set(response.json())


def test_link_transition_and_publish_actions(api_as, problem_manager, requester, agent):
    client = api_as(problem_manager)
    problem = services.problem_create(actor=problem_manager, statement="VPN drops")
    incident = make_ticket(requester=requester, actor=agent)
    url = f"/api/v1/problems/{problem.number}/"
    missing = client.post(f"{url}link-incidents/", {"incidents": ["INC9999999"]}, format="json")
    assert missing.status_code == 400 and "incidents" in missing.json()
    linked = client.post(f"{url}link-incidents/", {"incidents": [incident.number]}, format="json")
    assert linked.json()["linked"] == [incident.number]
    assert linked.json()["problem"]["incident_count"] == 1

    stale = client.post(f"{url}transition/", {"to_status": "assessed", "version": 99})
    assert stale.status_code == 409
    moved = client.post(f"{url}transition/", {"to_status": "assessed", "version": 1})
    assert moved.status_code == 200 and moved.json()["status"] == "assessed"
    refused = client.post(f"{url}transition/", {"to_status": "root_cause_known"})
    assert refused.status_code == 400 and refused.json()["code"] == "transition_not_allowed"

    published = client.post(
        f"{url}publish-known-error/", {"workaround": "Use the backup gateway"}, format="json"
    )
    assert published.status_code == 200
    assert published.json()["is_known_error"] is True
    assert published.json()["workaround"] == "Use the backup gateway"


def test_agents_may_raise_but_not_work_problems(api_as, agent, problem_manager):
    problem = services.problem_create(actor=problem_manager, statement="x")
    assert api_as(agent).post("/api/v1/problems/", {"statement": "y"}).status_code == 201
    response = api_as(agent).post(
        f"/api/v1/problems/{problem.number}/transition/", {"to_status": "closed", "reason": "r"}
    )
    assert response.status_code == 403


def test_requesters_get_403(api_as, requester):
    assert api_as(requester).get("/api/v1/problems/").status_code == 403
