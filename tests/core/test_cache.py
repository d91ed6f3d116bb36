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
