"""A database outage answers 503 with Retry-After, and the product recovers without a
restart (issue #15). The product runs under gunicorn against a private PostgreSQL cluster
that the test stops and starts again; /healthz reports each failure as a 503, never a 500,
also when Redis dies while it asks the workers."""

import json
import shutil
import time

import pytest
from django.db import connection

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.apitokens import make_unaudited_token
from tests.faults import PG_BIN, Gunicorn, PrivatePostgres, ThrowawayRedis, spare_port, wait_for

pytestmark = [
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists() or shutil.which("redis-server") is None,
        reason="needs PostgreSQL's initdb and redis-server to start private ones",
    ),
    # The tests read nothing themselves; the mark makes pytest-django set up the test
    # database before the module fixture copies it.
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def outage_stack(django_db_setup, django_db_blocker):
    """A private cluster holding a copy of the test database with one agent and their API
    token, and gunicorn serving the product from it."""
    with django_db_blocker.unblock():
        agent = UserFactory(email="outage@example.com", roles=[Role.AGENT])
        token = make_unaudited_token(agent)
        source = connection.settings_dict
        source_url = (
            f"postgres://{source['USER']}@{source['HOST']}:{source['PORT']}/{source['NAME']}"
        )
        cluster = PrivatePostgres()
        try:
            cluster.start()
            cluster.copy_database(source_url, "itsm_outage")
        finally:
            agent.delete()
    try:
        with Gunicorn(DATABASE_URL=cluster.url("itsm_outage")) as server:
            yield cluster, server, {"Authorization": f"Bearer {token}"}
    finally:
        cluster.destroy()


def _json(body: bytes) -> dict:
    return json.loads(body)


def test_an_outage_is_a_503_with_retry_after_and_the_product_recovers(outage_stack):
    cluster, server, auth = outage_stack
    status, _, body = server.get("/api/v1/incidents/", **auth)
    assert status == 200, body[:300]

    cluster.stop()
    try:
        status, headers, body = server.get("/api/v1/incidents/", **auth)
        assert status == 503, body[:300]
        assert headers["Retry-After"] == "30"
        assert headers["Content-Type"] == "application/json"
        assert _json(body)["code"] == "database_unavailable"

        # A signed-in person's page reads the session first, in a middleware: the static
        # outage page, not the 500 page (which would need the database to render).
        for page in ("/desk/tickets/", "/portal/"):
            status, headers, body = server.get(page, Cookie="sessionid=somebody")
            assert status == 503, (page, body[:300])
            assert headers["Retry-After"] == "30"
            assert headers["Content-Type"].startswith("text/html")
            assert b"back in a moment" in body

        status, _, body = server.get("/healthz")
        assert status == 503
        checks = _json(body)["checks"]
        assert checks["database"]["ok"] is False
        assert checks["redis"]["ok"] is True
    finally:
        cluster.start()

    # The same gunicorn process, not restarted: its next request reconnects.
    started = time.monotonic()
    status, _, body = server.get("/api/v1/incidents/", **auth)
    assert status == 200, body[:300]
    assert time.monotonic() - started < 5
    status, _, body = server.get("/healthz")
    assert _json(body)["checks"]["database"]["ok"] is True


def test_healthz_reports_redis_dying_before_the_worker_ping_as_a_503(outage_stack, settings):
    """REDIS_URL answers (its own check passes) while the broker the ping goes through has
    just been killed: the moment Redis dies between the two checks."""
    cluster, _, _ = outage_stack
    broker = ThrowawayRedis()
    broker.start()
    with Gunicorn(
        DATABASE_URL=cluster.url("itsm_outage"),
        CELERY_BROKER_URL=broker.url,
        ITSM_HEALTH_WORKER_TIMEOUT="0.5",
    ) as server:
        status, _, body = server.get("/healthz")
        assert status == 503  # no worker consumes this private broker
        assert (
            _json(body)["checks"]["celery_worker"]["detail"] == "no Celery worker answered a ping"
        )

        broker.kill()
        wait_for(lambda: server.get("/healthz")[0] != 0, what="healthz")
        started = time.monotonic()
        status, headers, body = server.get("/healthz")
        elapsed = time.monotonic() - started
    assert status == 503, body[:300]
    assert headers["Content-Type"] == "application/json"
    checks = _json(body)["checks"]
    assert checks["database"]["ok"] is True
    assert checks["redis"]["ok"] is True
    assert checks["celery_worker"]["ok"] is False
    assert "ping failed" in checks["celery_worker"]["detail"]
    assert elapsed < 10


def test_only_an_unreachable_server_counts_as_an_outage():
    """Connection refused is an outage (503); a statement the live server cancelled is the
    500 it is, so a slow query never hides behind "try again"."""
    from django.db import OperationalError, transaction
    from django.db.backends.postgresql.base import DatabaseWrapper

    from itsm.core.refusals import database_unavailable

    nowhere = DatabaseWrapper({**connection.settings_dict, "PORT": spare_port()}, alias="nowhere")
    with pytest.raises(OperationalError) as refused:
        nowhere.ensure_connection()
    assert database_unavailable(refused.value)

    with (
        pytest.raises(OperationalError) as cancelled,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")
    assert not database_unavailable(cancelled.value)
