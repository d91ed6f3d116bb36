"""Read replicas (issue #19) against a real streaming replica: a throw-away primary cluster
holding a copy of the test database, a hot standby made from it with `pg_basebackup -R`, and
the product under gunicorn with DATABASE_REPLICA_URLS pointing at the standby. Both clusters
log every statement, so a test sees which one served a request's reads."""

import http.cookiejar
import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from itsm.accounts.roles import Role
from itsm.apitokens.choices import TokenResource, TokenScope
from itsm.apitokens.models import PersonalAccessToken
from itsm.core.db_router import STICKY_COOKIE, ReplicaRouter
from tests.factories.accounts import UserFactory
from tests.factories.apitokens import bearer
from tests.faults import PG_BIN, Gunicorn, PrivatePostgres, StandbyPostgres, wait_for
from tickets.models import Ticket

pytestmark = [
    pytest.mark.skipif(
        not (PG_BIN / "pg_basebackup").exists(), reason="needs PostgreSQL's server binaries"
    ),
    pytest.mark.django_db,
]

DB = "itsm_replicas"
SECRET_KEY = secrets.token_urlsafe(50)
STICKY_SECONDS = 2
MAX_LAG_SECONDS = 1
LIST_SQL = 'FROM "tickets_ticket"'
DASHBOARD_SQL = 'FROM "dashboards_'  # the figures come from the rollup tables


def _psql(cluster: PrivatePostgres, sql: str) -> str:
    done = subprocess.run(
        [str(PG_BIN / "psql"), "-tA", "-v", "ON_ERROR_STOP=1", cluster.url(DB), "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


class Browser:
    """An HTTP client that keeps cookies, as a browser (or a careful API client) does."""

    def __init__(self, server: Gunicorn, **headers: str) -> None:
        self.base = f"http://127.0.0.1:{server.port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.headers = headers

    def request(self, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        data = None if body is None else json.dumps(body).encode()
        headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), time.monotonic() - started

    def has_cookie(self, name: str) -> bool:
        return any(cookie.name == name for cookie in self.cookies)


class StatementLog:
    """What a cluster ran since the last `mark()` (log_statement=all into its log file)."""

    def __init__(self, cluster: PrivatePostgres) -> None:
        self.path = Path(cluster.dir) / "log"
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def since_mark(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            return log.read().decode(errors="replace")


@pytest.fixture(scope="module")
def replicated(django_db_setup, django_db_blocker):
    """The primary, its standby, their statement logs, gunicorn serving the product from
    both, and an agent's API token and session cookie."""
    with django_db_blocker.unblock():
        agent = UserFactory(
            email="replica-agent@example.com",
            roles=[Role.AGENT, Role.SERVICE_DESK_MANAGER],
        )
        # Written straight, not through token_create: its audit entry (append-only) would
        # keep the agent from being deleted when the module ends.
        token = secrets.token_urlsafe(32)
        PersonalAccessToken.objects.create(
            owner=agent,
            name="replica test",
            prefix=token[:6],
            key_hash=PersonalAccessToken.hash_secret(token),
            scope=TokenScope.WRITE,
            resources=TokenResource.values,
            expires_at=timezone.now() + timedelta(days=1),
        )
        # The session (and the auth hash in it) is signed with the server's own secret.
        with override_settings(SECRET_KEY=SECRET_KEY):
            session = SessionStore()
            session[SESSION_KEY] = str(agent.pk)
            session[BACKEND_SESSION_KEY] = "itsm.accounts.access.CachedPermissionsBackend"
            session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
            session.create()
        source = connection.settings_dict
        source_url = (
            f"postgres://{source['USER']}@{source['HOST']}:{source['PORT']}/{source['NAME']}"
        )
        primary = PrivatePostgres()
        standby = None
        try:
            primary.start("log_statement=all")
            primary.copy_database(source_url, DB)
            standby = StandbyPostgres(primary)
            standby.start("log_statement=all", "hot_standby=on")
        finally:
            session.delete()
            agent.delete()
    assert standby is not None
    wait_for(lambda: _psql(standby, "SELECT pg_is_in_recovery()") == "t", what="the standby")
    try:
        with Gunicorn(
            DATABASE_URL=primary.url(DB),
            DATABASE_REPLICA_URLS=standby.url(DB),
            SECRET_KEY=SECRET_KEY,
            # Pages link static files by name: no collectstatic manifest is needed.
            DEBUG="true",
            ITSM_REPLICA_STICKY_SECONDS=str(STICKY_SECONDS),
            ITSM_REPLICA_MAX_LAG_SECONDS=str(MAX_LAG_SECONDS),
            ITSM_REPLICA_CHECK_SECONDS="0.2",
            ITSM_REPLICA_DOWN_SECONDS="3",
        ) as server:
            yield {
                "primary": primary,
                "standby": standby,
                "logs": (StatementLog(primary), StatementLog(standby)),
                "server": server,
                "token": bearer(token),
                "session": session.session_key,
            }
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


def _served_by(
    replicated, browser: Browser, path: str, body: dict | None = None, *, marker: str = LIST_SQL
):
    """Make the request; answer (status, body, seconds, which cluster ran the page's reads:
    the statements holding `marker`)."""
    primary_log, standby_log = replicated["logs"]
    primary_log.mark()
    standby_log.mark()
    status, content, seconds = browser.request(path, body)
    primary_ran, standby_ran = primary_log.since_mark(), standby_log.since_mark()
    where = {(True, False): "primary", (False, True): "replica"}.get(
        (marker in primary_ran, marker in standby_ran), "both or neither"
    )
    if status >= 500:  # what the clusters refused, for the failure message
        errors = [line for line in (primary_ran + standby_ran).splitlines() if "ERROR" in line]
        content += "\n".join(errors).encode()
    return status, content, seconds, where


def _api(replicated) -> Browser:
    return Browser(replicated["server"], **replicated["token"])


def test_the_standby_is_a_streaming_replica_of_the_primary(replicated):
    assert _psql(replicated["standby"], "SELECT pg_is_in_recovery()") == "t"
    assert _psql(replicated["primary"], "SELECT count(*) FROM pg_stat_replication") == "1"


def test_an_api_list_is_read_from_the_replica(replicated):
    status, content, _, where = _served_by(replicated, _api(replicated), "/api/v1/incidents/")
    assert status == 200, content[:300]
    assert where == "replica"


def test_a_dashboard_is_read_from_the_replica(replicated):
    browser = Browser(replicated["server"], Cookie=f"sessionid={replicated['session']}")
    status, content, _, where = _served_by(
        replicated, browser, "/dashboards/", marker=DASHBOARD_SQL
    )
    assert status == 200, content[-600:]
    assert where == "replica"


def test_a_streamed_export_is_read_from_the_replica(replicated):
    status, content, _, where = _served_by(
        replicated, _api(replicated), "/api/v1/tickets/export/?format=csv"
    )
    assert status == 200, content[-600:]
    assert content.lstrip(b"\xef\xbb\xbf").startswith(b"Number,"), content[:200]  # the header row
    assert where == "replica"


def test_a_ticket_page_is_read_from_the_primary(replicated):
    api = _api(replicated)
    status, content, _ = api.request(
        "/api/v1/incidents/", {"short_description": "Ticket page reads the primary"}
    )
    assert status == 201, content[:300]
    number = json.loads(content)["number"]
    time.sleep(STICKY_SECONDS + 0.2)
    status, content, _, where = _served_by(
        replicated, _api(replicated), f"/api/v1/incidents/{number}/"
    )
    assert status == 200, content[:300]
    assert where == "primary"


def test_a_misspelt_search_served_by_the_replica_finds_the_ticket(replicated):
    """The typo search's similarity threshold is a per-connection setting: it must be set on
    the replica that runs the search, not on the primary."""
    status, content, _ = _api(replicated).request(
        "/api/v1/incidents/", {"short_description": "Scanner zqwobble jams in the tray"}
    )
    assert status == 201, content[:300]
    number = json.loads(content)["number"]
    time.sleep(STICKY_SECONDS + 0.5)
    status, content, _, where = _served_by(
        replicated, _api(replicated), "/api/v1/incidents/?q=zqwoblbe", marker="zqwoblbe"
    )
    assert status == 200, content[:300]
    assert where == "replica"
    assert [row["number"] for row in json.loads(content)["results"]] == [number]


def test_a_person_reads_their_own_write_from_the_primary_for_a_few_seconds(replicated):
    api = _api(replicated)
    status, content, _ = api.request(
        "/api/v1/incidents/", {"short_description": "Printer on floor 3 jams"}
    )
    assert status == 201, content[:300]
    number = json.loads(content)["number"]
    assert api.has_cookie(STICKY_COOKIE)

    status, content, _, where = _served_by(replicated, api, "/api/v1/incidents/")
    assert status == 200
    assert where == "primary"
    assert number in [row["number"] for row in json.loads(content)["results"]]

    # Someone else, who did not write, reads the replica meanwhile.
    assert _served_by(replicated, _api(replicated), "/api/v1/incidents/")[3] == "replica"

    time.sleep(STICKY_SECONDS + 0.5)
    assert _served_by(replicated, api, "/api/v1/incidents/")[3] == "replica"


def test_a_replica_lagging_past_the_limit_is_skipped_until_it_catches_up(replicated):
    standby, primary = replicated["standby"], replicated["primary"]
    _psql(standby, "SELECT pg_wal_replay_pause()")
    try:
        status, content, _ = _api(replicated).request(
            "/api/v1/incidents/", {"short_description": "Written while the replica lags"}
        )
        assert status == 201, content[:300]
        wait_for(
            lambda: (
                _psql(standby, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()") == "t"
            ),
            what="WAL received but not replayed",
            timeout=10,
        )
        time.sleep(MAX_LAG_SECONDS + 0.5)
        status, _, _, where = _served_by(replicated, _api(replicated), "/api/v1/incidents/")
        assert status == 200
        assert where == "primary"
    finally:
        _psql(standby, "SELECT pg_wal_replay_resume()")
    lsn = _psql(primary, "SELECT pg_current_wal_lsn()")
    wait_for(
        lambda: _psql(standby, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'") == "t",
        what="the replica catching up",
        timeout=10,
    )
    time.sleep(0.3)  # past ITSM_REPLICA_CHECK_SECONDS: the next request asks the lag again
    assert _served_by(replicated, _api(replicated), "/api/v1/incidents/")[3] == "replica"


def test_a_stopped_replica_costs_a_page_little_and_the_primary_serves_it(replicated):
    """Last in the module: it stops the standby."""
    replicated["standby"].stop()
    browser = Browser(replicated["server"], Cookie=f"sessionid={replicated['session']}")
    for _ in range(2):  # the first finds it gone, the second skips it without trying
        status, content, seconds, where = _served_by(
            replicated, _api(replicated), "/api/v1/incidents/"
        )
        assert status == 200, content[:300]
        assert where == "primary"
        assert seconds < 2, f"{seconds:.2f} s"
        status, content, seconds = browser.request("/dashboards/")
        assert status == 200, content[:300]
        assert seconds < 2, f"{seconds:.2f} s"


def test_without_replicas_every_read_and_write_uses_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Ticket) == "default"
    assert router.db_for_write(Ticket) == "default"
    assert router.allow_migrate("default", "tickets") is True
    assert router.allow_migrate("replica1", "tickets") is False
