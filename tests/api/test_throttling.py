"""DRF throttling per person and per address, on Redis, failing open (issue #20)."""

import os
import subprocess
import sys
import time

import pytest

from tests.factories.apitokens import bearer, make_token
from tests.faults import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(user="3/minute", anon="2/minute"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"user": user, "anon": anon},
        }

    return set_rates


def test_a_person_over_the_rate_gets_429_with_retry_after(client, agent, requester, rates):
    rates(user="3/minute")
    _, secret = make_token(agent)
    for _ in range(3):
        assert client.get("/api/v1/api-tokens/", headers=bearer(secret)).status_code == 200
    refused = client.get("/api/v1/api-tokens/", headers=bearer(secret))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"] == "application/json"
    assert "throttled" in refused.json()["detail"].lower()
    # The limit is the person's, whichever way they sign in; someone else has their own.
    client.force_login(agent)
    assert client.get("/api/v1/api-tokens/").status_code == 429
    client.force_login(requester)
    assert client.get("/api/v1/api-tokens/").status_code == 200


def test_requests_without_credentials_are_limited_per_address(client, rates, settings):
    rates(anon="2/minute")
    settings.ITSM_PUBLISH_API_SCHEMA = True
    assert client.get("/api/v1/docs/", REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.get("/api/v1/docs/", REMOTE_ADDR="198.51.100.1").status_code == 200
    refused = client.get("/api/v1/docs/", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert client.get("/api/v1/docs/", REMOTE_ADDR="198.51.100.2").status_code == 200


def test_the_429_is_in_the_schema(client_as, agent):
    schema = client_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    assert "429" in schema["paths"]["/api/v1/incidents/"]["get"]["responses"]


@pytest.mark.parametrize("fault", ["kill", "freeze"])
def test_the_api_answers_when_redis_is_down(client, agent, rates, cache_redis, fault):
    rates(user="2/minute")
    _, secret = make_token(agent)
    assert client.get("/api/v1/api-tokens/", headers=bearer(secret)).status_code == 200
    getattr(cache_redis, fault)()
    started = time.monotonic()
    answers = [
        client.get("/api/v1/api-tokens/", headers=bearer(secret)).status_code for _ in range(5)
    ]
    elapsed = time.monotonic() - started
    assert answers == [200] * 5  # throttling fails open: no 429, no 500
    assert elapsed < 1.0  # one short cache timeout, then the cache is left alone


def test_rates_come_from_the_environment():
    env = os.environ | {"ITSM_API_THROTTLE_USER": "7/hour", "ITSM_API_THROTTLE_ANON": "3/day"}
    code = (
        "import django; django.setup(); from rest_framework.settings import api_settings; "
        "print(api_settings.DEFAULT_THROTTLE_RATES)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env | {"DJANGO_SETTINGS_MODULE": "itsm.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'user': '7/hour'" in out and "'anon': '3/day'" in out
