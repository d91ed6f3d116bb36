"""GET/PUT /api/v1/queue-preference/: the signed-in agent's queue settings (issue #16)."""

import pytest

from tickets.choices import DEFAULT_QUEUE_COLUMNS
from tickets.models import QueuePreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/queue-preference/"


def test_an_agent_reads_the_defaults_before_changing_anything(api_as, agent):
    response = api_as(agent).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "columns": list(DEFAULT_QUEUE_COLUMNS),
        "filters_open": False,
        "last_query": "",
    }
    assert not QueuePreference.objects.exists()


def test_an_agent_replaces_their_settings(api_as, agent, django_assert_max_num_queries):
    client = api_as(agent)
    body = {
        "columns": ["sla", "number", "channel"],
        "filters_open": True,
        "last_query": "queue=open",
    }
    # The staff check, permissions (2), get-or-create under lock (select, savepoint, insert,
    # release) and the save; a fixed number, whatever is sent.
    with django_assert_max_num_queries(10):
        response = client.put(URL, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "columns": ["number", "sla", "channel"],
        "filters_open": True,
        "last_query": "queue=open",
    }
    with django_assert_max_num_queries(2):
        assert client.get(URL).json()["columns"] == ["number", "sla", "channel"]
    # The desk queue opens at that view.
    assert QueuePreference.objects.get(user=agent).last_query == "queue=open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"columns": ["salary"], "filters_open": False, "last_query": ""}, "columns"),
        ({"columns": ["number"], "filters_open": "maybe", "last_query": ""}, "filters_open"),
        ({"columns": ["number"], "filters_open": False, "last_query": "x" * 1001}, "last_query"),
        ({"columns": ["number"], "filters_open": False}, "last_query"),
    ],
)
def test_bad_input_is_refused_by_field_and_changes_nothing(api_as, agent, body, field):
    response = api_as(agent).put(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not QueuePreference.objects.exists()


def test_a_requester_has_no_queue_preference(api_as, requester):
    assert api_as(requester).get(URL).status_code == 403
    response = api_as(requester).put(
        URL, {"columns": ["number"], "filters_open": True, "last_query": ""}, format="json"
    )
    assert response.status_code == 403
    assert not QueuePreference.objects.exists()


def test_the_endpoint_is_in_the_openapi_schema(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/queue-preference/"]
    assert set(operations) >= {"get", "put"}
    assert operations["put"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/QueuePreferenceRequest"
    }
