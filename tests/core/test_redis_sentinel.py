"""Redis with Sentinel, against real servers the test starts on spare loopback ports: a
master, its replica and three Sentinels (quorum 2). The master is killed; once the Sentinels
have promoted the replica, the cache of this process (the same connection pool as before) and
a Celery round trip through a real worker process (broker and results) work again without a
restart (README "Redis with Sentinel")."""

import os
import shutil
import subprocess
import sys

import pytest
import redis
from django.core.cache import cache
from django.db import connection

from itsm.core import cache as core_cache
from itsm.core.redis_client import master_client, parse_sentinels
from tests.core.test_settings import settings_value
from tests.faults import (
    ROOT,
    ThrowawayRedis,
    ThrowawaySentinel,
    WorkerProcess,
    database_url,
    wait_until,
)

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MASTER = "itsm-test"
# The Sentinels notice a dead master after a second (down-after-milliseconds); the vote and
# the promotion take a few more. Generous for a loaded machine, still bounded.
FAILOVER_SECONDS = 45


def _sentinel_answers(sentinel: ThrowawaySentinel, command: str, *args: str):
    client = redis.Redis(host="127.0.0.1", port=sentinel.port, socket_timeout=1)
    try:
        return client.execute_command(command, *args)
    except redis.RedisError:
        return None
    finally:
        client.close()


def _master_port(sentinel: ThrowawaySentinel) -> int | None:
    address = _sentinel_answers(sentinel, "SENTINEL", "get-master-addr-by-name", MASTER)
    return int(address[1]) if address else None


def _ready(sentinels: list[ThrowawaySentinel], replica: ThrowawayRedis) -> bool:
    """Every Sentinel knows the replica and the two other Sentinels (needed for the vote)."""
    for sentinel in sentinels:
        replicas = _sentinel_answers(sentinel, "SENTINEL", "replicas", MASTER) or []
        others = _sentinel_answers(sentinel, "SENTINEL", "sentinels", MASTER) or []
        if len(others) < len(sentinels) - 1 or not replicas:
            return False
    link = redis.Redis(host="127.0.0.1", port=replica.port, socket_timeout=1).info("replication")
    return link.get("master_link_status") == "up"


@pytest.fixture
def sentinel_stack(tmp_path, settings):
    """Master, replica and three Sentinels; the settings point at the Sentinels only."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    master = ThrowawayRedis(tmp_path / "master")
    replica = ThrowawayRedis(tmp_path / "replica", replica_of=master)
    for server in (master, replica):
        server.directory.mkdir()
    sentinels = [ThrowawaySentinel(master, name=MASTER, quorum=2) for _ in range(3)]
    try:
        master.start()
        replica.start()
        for sentinel in sentinels:
            sentinel.start()
        assert wait_until(lambda: _ready(sentinels, replica), timeout=30), "sentinels not ready"
        addresses = [sentinel.address for sentinel in sentinels]
        settings.REDIS_SENTINELS = addresses
        settings.REDIS_SENTINEL_MASTER = MASTER
        # Any host: with Sentinels, REDIS_URL gives only the database.
        settings.REDIS_URL = "redis://unused.invalid:6379/0"
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                **settings.CACHES["default"],
                "LOCATION": settings.REDIS_URL,
                "OPTIONS": {
                    # What itsm/settings.py builds from REDIS_SENTINELS (checked below), with a
                    # timeout that a loaded test machine meets.
                    "socket_connect_timeout": 0.5,
                    "socket_timeout": 0.5,
                    "pool_class": "itsm.core.redis_client.SentinelMasterPool",
                    "sentinels": parse_sentinels(addresses),
                    "sentinel_master": MASTER,
                },
            },
        }
        core_cache._skip_until = 0.0
        yield master, replica, sentinels
    finally:
        for sentinel in sentinels:
            sentinel.remove()
        replica.stop()
        master.stop()
        core_cache._skip_until = 0.0


def _sentinel_env(sentinels: list[ThrowawaySentinel]) -> dict[str, str]:
    return {
        "REDIS_SENTINELS": ",".join(sentinel.address for sentinel in sentinels),
        "REDIS_SENTINEL_MASTER": MASTER,
    }


def _celery_round_trip(sentinels: list[ThrowawaySentinel]) -> str:
    """Publish `celery.ping` and wait for its result, from a fresh process configured by the
    environment alone (as a web node is): broker and result backend both through Sentinel."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(DJANGO_SETTINGS_MODULE="itsm.settings", **_sentinel_env(sentinels))
    env["REDIS_URL"] = "redis://unused.invalid:6379/0"
    code = (
        "import django; django.setup(); from itsm.celery import app; "
        "print(app.send_task('celery.ping', ignore_result=False).get(timeout=20))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout.strip() or result.stderr.strip()[-1500:]


def test_settings_build_sentinel_urls_for_the_cache_and_celery():
    env = {
        "REDIS_SENTINELS": "s1.internal:26379,s2.internal",
        "REDIS_SENTINEL_MASTER": "desk",
        "REDIS_URL": "redis://:s3cret@ignored:6379/2",
    }
    broker = "sentinel://:s3cret@s1.internal:26379/2;sentinel://:s3cret@s2.internal:26379/2"
    assert settings_value("settings.CELERY_BROKER_URL", env) == broker
    assert settings_value("settings.CELERY_RESULT_BACKEND", env) == broker.replace("/2", "/1")
    assert settings_value("settings.CELERY_BROKER_TRANSPORT_OPTIONS['master_name']", env) == "desk"
    assert (
        settings_value("settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS['master_name']", env)
        == "desk"
    )
    options = "settings.CACHES['default']['OPTIONS']"
    assert settings_value(f"{options}['sentinels'], {options}['sentinel_master']", env) == (
        "[('s1.internal', 26379), ('s2.internal', 26379)] desk"
    )


def test_a_malformed_sentinel_address_stops_start_up():
    with pytest.raises(AssertionError, match="REDIS_SENTINELS: 's1:port' is not host:port"):
        settings_value("settings.REDIS_SENTINELS", {"REDIS_SENTINELS": "s1:port"})


def test_cache_and_celery_follow_a_sentinel_failover(sentinel_stack, tmp_path):
    master, replica, sentinels = sentinel_stack
    worker = WorkerProcess(
        redis_url="redis://unused.invalid:6379/0",
        db_url=database_url(connection.settings_dict),
        log_path=tmp_path / "worker.log",
        extra_env=_sentinel_env(sentinels),
        # celery.ping answers "pong": a task with a result, for the round trip.
        extra_args=("--include=celery.contrib.testing.tasks",),
    )
    worker.start()
    try:
        cache.set("sentinel-probe", "before", timeout=60)
        assert cache.get("sentinel-probe") == "before"
        assert redis.Redis(port=master.port).exists(cache.make_key("sentinel-probe")) == 1
        assert master_client(timeout=1).ping()
        assert _celery_round_trip(sentinels) == "pong", worker.log()[-3000:]

        master.kill()
        assert wait_until(
            lambda: all(_master_port(s) == replica.port for s in sentinels),
            timeout=FAILOVER_SECONDS,
        ), "the sentinels did not promote the replica"

        # The same cache (its pool made before the failover) finds the new master: the first
        # command after the kill may fail on the dead connection, and itsm.core.cache rests
        # after a failure; the next commands go to the promoted replica.
        def cache_works() -> bool:
            core_cache._skip_until = 0.0
            value = core_cache.cached("sentinel-after", seconds=60, compute=lambda: "computed")
            try:
                return value == "computed" and cache.get("sentinel-after") == "computed"
            except redis.RedisError:
                return False

        assert wait_until(cache_works, timeout=15, step=0.5)
        assert redis.Redis(port=replica.port).exists(cache.make_key("sentinel-after")) == 1
        # What the master had replicated before it died is still there.
        assert cache.get("sentinel-probe") == "before"
        assert master_client(timeout=1).ping()

        # The worker reconnects by itself (kombu asks the Sentinels for the new master) and
        # the result comes back through the promoted replica.
        answers: list[str] = []
        assert wait_until(
            lambda: answers.append(_celery_round_trip(sentinels)) or answers[-1] == "pong",
            timeout=90,
            step=1,
        ), (answers[-1:], worker.log()[-3000:])
        assert worker.alive()
    finally:
        worker.stop()
