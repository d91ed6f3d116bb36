"""Personal access tokens: made by their owner, shown once, stored hashed, expiring,
revocable, last use noted cheaply; the schema behind sign-in (issue #20)."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes import services as change_services
from itsm.apitokens.models import PersonalAccessToken
from itsm.apitokens.services import token_revoke
from itsm.audit.models import AuditEvent
from tests.factories.apitokens import bearer, make_token

pytestmark = pytest.mark.django_db


def _in(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _create(client, headers=None, **body):
    body = {"name": "Nightly export", "scope": "read", "resources": ["tickets"]} | body
    body.setdefault("expires_at", _in(30))
    return client.post(
        "/api/v1/api-tokens/", data=body, content_type="application/json", headers=headers or {}
    )


def test_a_token_made_through_the_api_is_shown_once_and_stored_hashed(client_as, agent):
    client = client_as(agent)
    made = _create(client)
    assert made.status_code == 201, made.content
    secret = made.json()["secret"]
    assert secret.startswith("itsm_pat_") and len(secret) > 40
    assert made.json()["prefix"] == secret[:15]
    stored = PersonalAccessToken.objects.get()
    assert stored.key_hash == PersonalAccessToken.hash_secret(secret)
    assert secret not in str(stored.__dict__)
    listed = client.get("/api/v1/api-tokens/")
    assert listed.status_code == 200
    assert secret not in listed.content.decode()
    assert listed.json()["results"][0]["state"] == "active"
    assert AuditEvent.objects.filter(action="api_token_created", record_id=stored.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"expires_at": _in(-1)}, "expires_at"),
        ({"expires_at": _in(400)}, "expires_at"),
        ({"resources": []}, "resources"),
        ({"resources": ["everything"]}, "resources"),
        ({"scope": "admin"}, "scope"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(client_as, agent, body, field):
    answer = _create(client_as(agent), **body)
    assert answer.status_code == 400
    named = answer.json().get("field") or next(iter(answer.json()))
    assert named == field, answer.json()
    assert not PersonalAccessToken.objects.exists()


def test_an_expiry_is_required(client_as, agent):
    answer = client_as(agent).post(
        "/api/v1/api-tokens/",
        data={"name": "x", "resources": ["tickets"]},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "expires_at" in answer.json()


def test_two_active_tokens_of_one_name_are_refused(client_as, agent):
    client = client_as(agent)
    assert _create(client).status_code == 201
    again = _create(client)
    assert again.status_code == 400
    assert again.json()["field"] == "name"


def test_bearer_and_token_keywords_work_and_bad_tokens_get_401(client, agent):
    _, secret = make_token(agent)
    assert client.get("/api/v1/incidents/", headers=bearer(secret)).status_code == 200
    old_style = {"Authorization": f"Token {secret}"}
    assert client.get("/api/v1/incidents/", headers=old_style).status_code == 200
    wrong = client.get("/api/v1/incidents/", headers=bearer(secret + "x"))
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert wrong.json()["detail"] == "That is not a valid API token."
    assert client.get("/api/v1/incidents/").status_code == 401


def test_expired_revoked_and_disabled_tokens_get_401(client, agent, requester):
    token, secret = make_token(agent, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        expired = client.get("/api/v1/incidents/", headers=bearer(secret))
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]

    token_revoke(token=token, actor=agent)
    revoked = client.get("/api/v1/incidents/", headers=bearer(secret))
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "This API token was revoked."

    _, theirs = make_token(requester)
    requester.is_active = False
    requester.save()
    assert client.get("/api/v1/incidents/", headers=bearer(theirs)).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, agent):
    token, secret = make_token(agent)
    client.get("/api/v1/api-tokens/", headers=bearer(secret), REMOTE_ADDR="192.0.2.7")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_from == "192.0.2.7"
    first = token.last_used_at
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/api-tokens/", headers=bearer(secret))
    updates = [q["sql"] for q in queries if "apitokens_personalaccesstoken" in q["sql"]]
    assert not any(sql.startswith("UPDATE") for sql in updates)
    token.refresh_from_db()
    assert token.last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        client.get("/api/v1/api-tokens/", headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_authenticating_a_token_costs_one_query(client, agent):
    _, secret = make_token(agent)
    client.get("/api/v1/api-tokens/", headers=bearer(secret))  # notes the use
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/api-tokens/", headers=bearer(secret))
    sql = [q["sql"] for q in queries]
    assert sum('"key_hash" =' in s for s in sql) == 1, sql
    # the token with its owner (one join); then the endpoint's own count and page (the owner's
    # permissions come from the cache). No write: the use was noted under a minute ago.
    assert len(sql) == 3, sql


def test_a_token_makes_tokens_only_within_itself(client, agent):
    _, reader = make_token(agent, scope="read", name="reader")
    refused = _create(client, headers=bearer(reader), name="child")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]

    _, writer = make_token(agent, resources=["tickets", "tokens"], days=10, name="writer")
    wider = _create(client, headers=bearer(writer), name="wider", resources=["cmdb"])
    assert wider.status_code == 400
    assert wider.json()["field"] == "resources"
    longer = _create(client, headers=bearer(writer), name="longer", expires_at=_in(20))
    assert longer.json()["field"] == "expires_at"
    ok = _create(client, headers=bearer(writer), name="narrower", expires_at=_in(5))
    assert ok.status_code == 201


def test_tokens_filter_by_state(client_as, agent):
    make_token(agent, name="live")
    gone, _ = make_token(agent, name="gone")
    token_revoke(token=gone, actor=agent)
    make_token(agent, name="old", days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        client = client_as(agent)  # signed in now: a session idle for two days has ended
        for state, names in [("active", ["live"]), ("revoked", ["gone"]), ("expired", ["old"])]:
            listed = client.get("/api/v1/api-tokens/", {"state": state}).json()["results"]
            assert [t["name"] for t in listed] == names
            assert {t["state"] for t in listed} == {state}


def test_people_see_and_revoke_only_their_own_tokens(client_as, agent, requester):
    theirs, _ = make_token(requester, name="rita's")
    client = client_as(agent)
    assert client.get("/api/v1/api-tokens/").json()["results"] == []
    assert client.get(f"/api/v1/api-tokens/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/api-tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_administrator_sees_and_revokes_anyones_token_audited(client_as, admin_user, agent):
    token, secret = make_token(agent, name="agent's script")
    client = client_as(admin_user)
    make_token(admin_user, name="admin's own")
    listed = client.get("/api/v1/api-tokens/", {"owner": agent.pk}).json()["results"]
    assert [t["name"] for t in listed] == ["agent's script"]
    assert len(client.get("/api/v1/api-tokens/").json()["results"]) == 2
    revoked = client.post(f"/api/v1/api-tokens/{token.pk}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    event = AuditEvent.objects.get(action="api_token_revoked", record_id=token.pk)
    assert event.actor == admin_user
    assert "administrator" in event.message
    assert client.get("/api/v1/incidents/", headers=bearer(secret)).status_code == 401


def test_the_admin_revoke_action_is_audited(client_as, admin_user, agent):
    token, _ = make_token(agent)
    answer = client_as(admin_user).post(
        "/admin/apitokens/personalaccesstoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert answer.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    page = client_as(admin_user).get("/admin/apitokens/personalaccesstoken/")
    assert page.status_code == 200
    assert token.prefix in page.content.decode()
    assert token.key_hash not in page.content.decode()
    assert AuditEvent.objects.filter(action="api_token_revoked", actor=admin_user).exists()


def test_the_calendar_feed_takes_only_its_own_token(client, agent):
    """A feed URL must never carry an API token: the feed refuses them, and the feed token
    opens nothing else."""
    _, secret = make_token(agent)
    assert client.get(f"/desk/changes/calendar.ics?token={secret}").status_code == 401
    assert client.get("/desk/changes/calendar.ics", headers=bearer(secret)).status_code == 401
    feed = change_services.calendar_token_create(user=agent)
    assert client.get(f"/desk/changes/calendar.ics?token={feed}").status_code == 200
    assert client.get("/api/v1/changes/", headers=bearer(feed)).status_code == 401


# --- The schema and docs behind sign-in ----------------------------------------------------


def test_the_schema_and_docs_need_a_signed_in_person_or_a_token(client, agent):
    refused = client.get("/api/v1/schema/")
    assert refused.status_code == 401
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/accounts/login/")
    _, secret = make_token(agent, scope="read", resources=["tickets"])
    assert client.get("/api/v1/schema/", headers=bearer(secret)).status_code == 200
    client.force_login(agent)
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_setting_publishes_the_schema_and_docs(client, settings):
    settings.ITSM_PUBLISH_API_SCHEMA = True
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


# --- Retiring DRF's all-powerful tokens (migration 0002) -----------------------------------


def test_old_drf_tokens_become_hashed_personal_tokens(client, agent):
    from django.apps import apps

    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, "
            "user_id bigint)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [key, agent.pk])
    migration = importlib.import_module("itsm.apitokens.migrations.0002_retire_authtoken")
    with connection.schema_editor() as editor:
        migration.convert(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    token = PersonalAccessToken.objects.get(owner=agent)
    assert token.key_hash == PersonalAccessToken.hash_secret(key)
    assert token.scope == "write"
    assert token.expires_at > timezone.now() + timedelta(days=300)
    answer = client.get("/api/v1/incidents/", headers={"Authorization": f"Token {key}"})
    assert answer.status_code == 200
