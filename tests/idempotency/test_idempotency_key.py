"""`Idempotency-Key` on API creates (issue #15): the same key and body from the same person
give the first answer again and no second record; the same key with another body is a 422;
keys are kept in PostgreSQL for 24 hours; concurrent duplicates create one record."""

from datetime import timedelta

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from itsm.idempotency.models import IdempotentRequest
from itsm.idempotency.tasks import idempotent_requests_prune
from tests.concurrency import run_at_once
from tests.factories.catalog import make_catalog_item
from tickets.models import Ticket

INCIDENT = {"short_description": "VPN drops every hour", "urgency": 2}
KEY = "8d3f0c1e-5b7a-4c9e-9f3a-1d2c3b4a5e6f"


def _post(client, path, body, key=KEY):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/incidents/", "/api/v1/requests/"])
def test_the_same_key_and_body_answer_the_same_ticket_once(api_as, agent, path):
    client = api_as(agent)
    first = _post(client, path, INCIDENT)
    again = _post(client, path, INCIDENT)
    assert first.status_code == 201, first.json()
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_catalog_order_with_the_same_key_is_one_service_request(api_as, requester):
    make_catalog_item(name="New laptop", fields=[("model", "choice", True, ("13", "15"))])
    client = api_as(requester)
    body = {"form_data": {"model": "15"}}
    first = _post(client, "/api/v1/catalog-items/new-laptop/order/", body)
    again = _post(client, "/api/v1/catalog-items/new-laptop/order/", body)
    assert first.status_code == 201, first.json()
    assert again.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422(api_as, agent):
    client = api_as(agent)
    assert _post(client, "/api/v1/incidents/", INCIDENT).status_code == 201
    response = _post(client, "/api/v1/incidents/", {**INCIDENT, "urgency": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert "different request" in body["detail"]
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_on_another_endpoint_is_a_422(api_as, agent):
    client = api_as(agent)
    assert _post(client, "/api/v1/incidents/", INCIDENT).status_code == 201
    assert _post(client, "/api/v1/requests/", INCIDENT).status_code == 422


@pytest.mark.django_db
def test_keys_belong_to_one_person(api_as, agent, manager):
    assert _post(api_as(agent), "/api/v1/incidents/", INCIDENT).status_code == 201
    response = _post(api_as(manager), "/api/v1/incidents/", INCIDENT)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_create_does_not_use_up_its_key(api_as, agent):
    client = api_as(agent)
    assert _post(client, "/api/v1/incidents/", {"urgency": 2}).status_code == 400
    assert not IdempotentRequest.objects.exists()
    assert _post(client, "/api/v1/incidents/", INCIDENT).status_code == 201


@pytest.mark.django_db
def test_without_the_header_every_post_creates(api_as, agent):
    client = api_as(agent)
    client.post("/api/v1/incidents/", INCIDENT, format="json")
    client.post("/api/v1/incidents/", INCIDENT, format="json")
    assert Ticket.objects.count() == 2
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_key_is_a_400(api_as, agent, key):
    response = _post(api_as(agent), "/api/v1/incidents/", INCIDENT, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_key_older_than_24_hours_is_forgotten(api_as, agent):
    client = api_as(agent)
    assert _post(client, "/api/v1/incidents/", INCIDENT).status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    response = _post(client, "/api/v1/incidents/", {**INCIDENT, "urgency": 1})
    assert response.status_code == 201
    assert Ticket.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_periodic_prune_deletes_only_expired_keys(api_as, agent):
    client = api_as(agent)
    _post(client, "/api/v1/incidents/", INCIDENT, key="old")
    _post(client, "/api/v1/incidents/", INCIDENT, key="new")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert idempotent_requests_prune() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_ticket(agent):
    def send():
        client = APIClient()
        client.force_authenticate(agent)
        response = _post(client, "/api/v1/incidents/", INCIDENT)
        return response.status_code, response.json()["number"]

    outcomes = run_at_once(send, send, send, send)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert {status for status, _ in outcomes} == {201}
    assert len({number for _, number in outcomes}) == 1
    assert Ticket.objects.count() == 1


# Creates whose first answer must never be stored for a replay:
# - an API token's answer carries its secret, which is kept nowhere (only its hash); a blind
#   retry is refused instead (400: the name is in use by the token the first try made).
NOT_REPLAYED = {"/api/v1/api-tokens/"}


def test_every_create_in_the_schema_documents_the_header(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    creates = [
        (path, op)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if method == "post" and "201" in op["responses"] and path not in NOT_REPLAYED
    ]
    assert len(creates) >= 10
    for path, op in creates:
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in names, path
        assert "422" in op["responses"], path
