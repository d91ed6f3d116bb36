"""Shared fixtures: personas, API clients, a real Celery worker, and Debian's chromium."""

import os
import threading
import time
import uuid

import pytest
from kombu import Queue
from playwright.sync_api import expect
from rest_framework.test import APIClient

from itsm.accounts.roles import Role
from tests.factories.accounts import TeamFactory, UserFactory

# Shared fixtures that live beside the tests that use them most: an ongoing major incident on
# Payroll and a second caller (major incident, desk and browser tests).
pytest_plugins = ["tests.tickets.major.outage"]

# Playwright's sync API keeps an asyncio loop running in the main thread; without this Django
# raises SynchronousOnlyOperation in test bodies and live_server teardown (STACK-NOTES §5).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A browser assertion waits up to 10 s (Playwright's default is 5): CI runs two workers, a
# Celery worker and two chromiums on two cores, and a page under that load can take longer.
expect.set_options(timeout=10_000)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """A few rounds of the production hasher (tests/hashers.py); the tests of hashing cost
    set their own."""
    from django.conf import settings
    from django.test import override_settings

    hashers = ["tests.hashers.QuickPBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


def _delete_rows_instead_of_truncating() -> None:
    """Browser and other transactional tests end with a flush that TRUNCATEs every table:
    1-2 s each on this machine, most of it spent replacing the files of ~100 empty tables.
    Deleting the rows of the few tables a test filled empties the same database in a few
    milliseconds. The rows go with the triggers off (`session_replication_role`, for this
    transaction only): the audit log's append-only trigger and the foreign keys have nothing
    to guard in a database being emptied."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate_everything = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate_everything(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        tables = list(tables)
        with self.connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(
                    f"(SELECT {index} FROM {self.quote_name(table)} LIMIT 1)"
                    for index, table in enumerate(tables)
                )
            )
            filled = [tables[index] for (index,) in cursor.fetchall()]
        if not filled:
            return []
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {self.quote_name(table)}" for table in filled
        ]

    DatabaseOperations.sql_flush = sql_flush


_delete_rows_instead_of_truncating()


@pytest.fixture(autouse=True)
def _live_server_idle_before_flush(request):
    """A browser test ends with the page closed but its last requests (the live page's
    "leave" beacon, a poll) may still be running in the live server; the flush that follows
    TRUNCATEs the tables they read and PostgreSQL kills one of the two as a deadlock. Wait
    for them first. Torn down after pytest-playwright's context, before pytest-django's
    flush (autouse fixtures of plugins are set up before ours)."""
    yield
    if "live_server" not in request.fixturenames:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") and thread.is_alive()
        for thread in threading.enumerate()
    ):
        time.sleep(0.02)


# --- Personas -----------------------------------------------------------------------------


@pytest.fixture
def service_desk_team(db):
    return TeamFactory(name="Service Desk")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Network")


@pytest.fixture
def requester(db):
    """An employee: sees only their own tickets, never a work note, never the desk."""
    return UserFactory(
        email="rita@example.com", display_name="Rita Requester", roles=[Role.REQUESTER]
    )


@pytest.fixture
def other_requester(db):
    """Another employee, whose tickets `requester` must never see."""
    return UserFactory(
        email="omar@example.com", display_name="Omar Employee", roles=[Role.REQUESTER]
    )


@pytest.fixture
def agent(service_desk_team):
    """A first-line agent in the Service Desk team: works every ticket, reads every process."""
    user = UserFactory(email="alice@example.com", display_name="Alice Agent", roles=[Role.AGENT])
    service_desk_team.members.add(user)
    return user


@pytest.fixture
def agent_other_team(other_team):
    """An agent of another team."""
    user = UserFactory(email="nick@example.com", display_name="Nick Network", roles=[Role.AGENT])
    other_team.members.add(user)
    return user


@pytest.fixture
def manager(service_desk_team):
    """The service desk manager: everything an agent does, plus dashboards and team settings."""
    user = UserFactory(
        email="morgan@example.com",
        display_name="Morgan Manager",
        roles=[Role.SERVICE_DESK_MANAGER, Role.AGENT],
    )
    service_desk_team.members.add(user)
    service_desk_team.lead = user
    service_desk_team.save()
    return user


@pytest.fixture
def cab_member(db):
    """Approves changes; reads the desk's records but does not work tickets."""
    return UserFactory(email="carla@example.com", display_name="Carla CAB", roles=[Role.CAB_MEMBER])


@pytest.fixture
def knowledge_editor(db):
    """Writes and reviews articles."""
    return UserFactory(
        email="kim@example.com", display_name="Kim Knowledge", roles=[Role.KNOWLEDGE_EDITOR]
    )


@pytest.fixture
def admin_user(db):
    """The administrator: everything, including the Django admin."""
    return UserFactory(
        email="ada@example.com",
        display_name="Ada Admin",
        roles=[Role.ADMINISTRATOR],
        is_superuser=True,
        is_staff=True,
    )


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) → an APIClient authenticated as that user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_as(client):
    def make(user):
        client.force_login(user)
        return client

    return make


# --- A real Celery worker ----------------------------------------------------------------


@pytest.fixture(scope="module")
def celery_app_for_tests():
    from itsm.celery import app

    # One queue per test process: two workers on one Redis queue steal each other's tasks
    # and run them against the wrong test database (STACK-NOTES §4).
    # The test worker also consumes only that queue, so every route points at it.
    queue = f"test-{os.getpid()}"
    saved = (app.conf.task_default_queue, app.conf.task_routes, app.conf.task_queues)
    app.conf.task_ignore_result = False  # the start-up ping check waits for its result
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"*": {"queue": queue}}
    app.conf.task_queues = None
    app.amqp.queues = app.amqp.Queues([Queue(queue)])
    # Celery builds its router on the first publish; rebuild it so the new routes apply.
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    app.loader.import_module("celery.contrib.testing.tasks")
    yield app
    app.conf.task_default_queue, app.conf.task_routes, app.conf.task_queues = saved
    app.conf.task_ignore_result = True
    app.amqp.queues = app.amqp.Queues(saved[2])
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


@pytest.fixture(scope="module")
def celery_worker(celery_app_for_tests, django_db_setup, django_db_blocker):
    from celery.contrib.testing.worker import start_worker

    with (
        django_db_blocker.unblock(),
        start_worker(
            celery_app_for_tests, pool="solo", perform_ping_check=True, shutdown_timeout=10.0
        ) as worker,
    ):
        yield worker


@pytest.fixture
def eager_celery():
    """Run tasks in-process (for service tests that follow a notification to the mailbox)."""
    from itsm.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests read assets straight from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings, monkeypatch):
    # Cached figures (queue counts, filter choices, SLA policies) are keyed by database ids; a
    # prefix per test keeps them from leaking between tests and between workers sharing one
    # Redis, and processes a test starts (a poller, a worker) inherit it from the environment.
    prefix = f"test-{uuid.uuid4().hex}"
    monkeypatch.setenv("ITSM_CACHE_PREFIX", prefix)
    # A test that took Redis away leaves the cache resting for a few seconds: not into the
    # next test, whose query counts assume a working cache.
    monkeypatch.setattr("itsm.core.cache._skip_until", 0.0)
    # The shared Redis answers within the product's 50 ms, but a test process also runs the
    # live server's threads and Playwright: a thread that waits its turn for the GIL misses
    # 50 ms now and then, and the cache then rests for 5 s (CI saw query counts and live
    # presence fail that way). Fault tests set the product's timeouts again (tests/faults.py).
    default = settings.CACHES["default"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            **default,
            "KEY_PREFIX": prefix,
            "OPTIONS": {**default["OPTIONS"], "socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }


@pytest.fixture
def cache_redis(settings, tmp_path):
    """The cache on a throw-away redis-server of the test's own, for a test that kills or
        freezes it (tests/faults.py); the shared Redis is never touched. The cache's rest after
    a fault ends with the test (`_own_cache_namespace`)."""
    from tests.faults import ThrowawayRedis, cache_on

    redis = ThrowawayRedis(tmp_path)
    redis.start()
    cache_on(settings, redis.url)
    yield redis
    redis.stop()
