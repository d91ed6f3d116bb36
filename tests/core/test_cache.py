"""itsm.core.cache never lets a dead or frozen Redis hold a page up (DESIGN §11)."""

import time

import pytest

from itsm.core.cache import cached, forget


@pytest.fixture
def frozen_redis(cache_redis):
    cache_redis.freeze()
    return cache_redis


def test_a_frozen_redis_costs_one_short_timeout_then_is_left_alone(frozen_redis):
    computed = []

    def compute() -> int:
        computed.append(1)
        return 42

    started = time.monotonic()
    assert cached("figure", seconds=60, compute=compute) == 42
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(5):
        assert cached("figure", seconds=60, compute=compute) == 42
    rest = time.monotonic() - started

    assert first < 0.2  # the 50 ms socket timeout, not the seconds a frozen Redis would hold
    assert rest < 0.05  # the cache rests after a failure: no more timeouts for this page
    assert len(computed) == 6


def test_forget_on_a_frozen_redis_returns_after_the_socket_timeout(frozen_redis):
    started = time.monotonic()
    forget("figure", "other")
    assert time.monotonic() - started < 0.2


def test_the_cache_reuses_one_redis_client_and_still_reads_and_writes():
    from django.core.cache import cache

    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("reuse-probe", 41, 5)
    assert cache.incr("reuse-probe") == 42
    assert cache._cache.get_client() is client


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["kill", "freeze"])
def test_signing_in_works_while_the_cache_is_down(client, agent, cache_redis, fault):
    """allauth counts sign-ins in the cache directly: a dead or frozen Redis must neither
    refuse the sign-in nor answer 500 (CI once saw a 500 from a slow shared Redis)."""
    from tests.factories.accounts import TEST_PASSWORD

    getattr(cache_redis, fault)()
    started = time.monotonic()
    response = client.post("/accounts/login/", {"login": agent.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert time.monotonic() - started < 5.0  # short timeouts, never a hang on a frozen Redis
    landing = client.get(response.headers["Location"], follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0] == "/desk/"


def test_the_cache_answers_a_miss_and_keeps_going_when_redis_is_frozen(frozen_redis):
    from django.core.cache import cache

    started = time.monotonic()
    cache.set("probe", 1)
    assert cache.get("probe", "missing") == "missing"
    assert cache.get_many(["probe", "other"]) == {}
    assert cache.add("lock", True) is True  # fails open: a lock nobody else can hold either
    cache.delete("probe")
    assert time.monotonic() - started < 0.5
