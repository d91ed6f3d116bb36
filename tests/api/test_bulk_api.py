"""POST /api/v1/tickets/bulk/: per-ticket results, 400s for bad input, query counts."""

import pytest

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/bulk/"


def _tickets(*tickets):
    return [{"number": t.number, "version": t.version} for t in tickets]


def test_bulk_assign_answers_each_ticket(api_as, agent, agent_other_team, requester):
    first, stale = make_ticket(requester=requester), make_ticket(requester=requester)
    body = {
        "action": "assign",
        "tickets": _tickets(first, stale),
        "team": "Service Desk",
        "assignee": agent.email,
    }
    services.ticket_update(
        ticket=stale, actor=agent_other_team, expected_version=stale.version, impact=1
    )
    response = api_as(agent).post(URL, body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["action"], data["done"], data["refused"]) == ("assign", 1, 1)
    done, refused = data["results"]
    first.refresh_from_db()
    assert done == {
        "number": first.number,
        "status": "done",
        "message": "assigned to Service Desk / Alice Agent.",
        "code": "",
        "version": first.version,
    }
    assert refused["status"] == "refused"
    assert refused["code"] == "stale_version"
    assert "changed by Nick Network since you loaded the queue" in refused["message"]
    assert refused["version"] == Ticket.objects.get(pk=stale.pk).version


def test_bulk_resolve_and_merge_through_the_api(api_as, agent, requester):
    target, other, done = (make_ticket(requester=requester) for _ in range(3))
    api = api_as(agent)
    response = api.post(
        URL,
        {
            "action": "status",
            "tickets": _tickets(done),
            "to_status": "resolved",
            "resolution_code": "solved",
            "resolution_notes": "Restarted the gateway.",
        },
        format="json",
    )
    assert response.json()["results"][0]["message"] == "now resolved."
    response = api.post(
        URL,
        {"action": "merge", "tickets": _tickets(target, other), "target": target.number},
        format="json",
    )
    assert [r["number"] for r in response.json()["results"]] == [target.number, other.number]
    assert Ticket.objects.get(pk=other.pk).duplicate_of_id == target.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "assign", "tickets": []}, "tickets"),
        ({"action": "explode", "tickets": [{"number": "INC1", "version": 1}]}, "action"),
        ({"action": "assign", "tickets": [{"number": "INC1"}]}, "tickets"),
        ({"action": "assign", "tickets": [{"number": "INC1", "version": 1}]}, "field"),
        ({"action": "reply", "tickets": [{"number": "INC1", "version": 1}], "body": ""}, "field"),
        ({"action": "status", "tickets": [{"number": "INC1", "version": 1}]}, "field"),
        (
            {"action": "assign", "tickets": [{"number": "INC1", "version": 1}], "team": "Nope"},
            "team",
        ),
    ],
)
def test_bad_bulk_input_is_a_400_and_nothing_is_done(api_as, agent, body, field):
    response = api_as(agent).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_too_many_tickets_is_a_400(api_as, agent):
    many = [{"number": f"INC{n:07d}", "version": 1} for n in range(services.BULK_MAX_TICKETS + 1)]
    response = api_as(agent).post(
        URL, {"action": "note", "tickets": many, "body": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "tickets" in response.json()


def test_a_requester_is_refused_with_403(api_as, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(requester).post(
        URL, {"action": "note", "tickets": _tickets(ticket), "body": "Hi"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("size", [2, 5])
def test_bulk_api_queries_grow_only_with_each_tickets_own_write(
    api_as, agent, requester, size, django_assert_max_num_queries
):
    tickets = [make_ticket(requester=requester) for _ in range(size)]
    api = api_as(agent)
    api.post(URL, {"action": "note", "tickets": [], "body": "warm"}, format="json")
    # Fixed: the actor's permissions, the selection in one read. Per ticket: lock, comment,
    # save, audit, notification and the version read back (tests/tickets/test_bulk.py).
    with django_assert_max_num_queries(4 + 16 * size):
        response = api.post(
            URL, {"action": "note", "tickets": _tickets(*tickets), "body": "Seen"}, format="json"
        )
    assert response.json()["done"] == size


def test_bulk_and_export_are_in_the_openapi_schema(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    assert "post" in schema["paths"]["/api/v1/tickets/bulk/"]
    export = schema["paths"]["/api/v1/tickets/export/"]["get"]
    assert set(export["responses"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
