"""Short-lived caching of derived figures that pages read on every load.

The cache is an accelerator, never a source of truth: when Redis is unreachable or frozen the
value is computed again and the page is served (slower), not broken. Every command waits at
most the cache's socket timeout (tens of milliseconds, settings.CACHES), and after a failure
this process leaves the cache alone for CACHE_RETRY_SECONDS, so a page that reads several
cached figures pays for one timeout, not for each.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, cast

import redis
from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CACHE_RETRY_SECONDS = 5.0


class _ClientPerPool(RedisCacheClient):
    """Django builds a new redis.Redis around the connection pool on every command (about
    0.5 ms each, several per page); one client per pool is enough, as redis-py's clients are
    safe to share between threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        # Django's own choice of pool (the primary for writes); django-stubs omits it.
        index: int = cast(Any, self)._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


_state = threading.Lock()
_skip_until = 0.0


def _cache_is_resting() -> bool:
    return time.monotonic() < _skip_until


def _rest() -> None:
    global _skip_until
    with _state:
        _skip_until = time.monotonic() + CACHE_RETRY_SECONDS


class ReusingRedisCache(RedisCache):
    """Django's Redis cache, reusing one client per connection pool, that an outage never
    turns into an error (settings.CACHES).

    Our own helpers below and the libraries that use the cache directly (allauth's rate
    limits, DRF's throttles) all get the same answer from a dead or frozen Redis: a miss for
    a read, a write that did not happen, and `add` that succeeded. The last one fails open on
    purpose: allauth takes a lock with it before counting a sign-in, and refusing every
    sign-in while Redis is away is worse than not counting them (axes, in PostgreSQL, still
    counts failed passwords). After a failure this process leaves Redis alone for
    CACHE_RETRY_SECONDS, except for deletes: they are always tried, so an invalidation is
    never skipped (each waits at most the socket timeout).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ClientPerPool

    def _answer(
        self, command: Callable[..., Any], *args: Any, what: str, fallback: Any, rests: bool = True
    ) -> Any:
        """`command(*args)`, or `fallback` when it fails (and, unless told otherwise, while
        the cache rests)."""
        if rests and _cache_is_resting():
            return fallback
        try:
            return command(*args)
        except RedisError as error:
            _failed(what, error)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._answer(
            super().get, key, default, version, what=f"read of {key}", fallback=default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return self._answer(super().get_many, keys, version, what=f"read of {keys}", fallback={})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._answer(super().has_key, key, version, what=f"look-up of {key}", fallback=False)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._answer(
            super().add, key, value, timeout, version, what=f"add of {key}", fallback=True
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._answer(
            super().set, key, value, timeout, version, what=f"write of {key}", fallback=None
        )

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._answer(
            super().set_many, data, timeout, version, what=f"write of {list(data)}",
            fallback=list(data),
        )  # fmt: skip

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._answer(
            super().touch, key, timeout, version, what=f"touch of {key}", fallback=False
        )

    # Deletes are tried even while the cache rests: a skipped invalidation would serve the old
    # value for its whole lifetime once Redis answers again.
    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._answer(
            super().delete, key, version, what=f"delete of {key}", fallback=False, rests=False
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._answer(
            super().delete_many, keys, version, what=f"delete of {keys}", fallback=None,
            rests=False,
        )  # fmt: skip


def cached[T](key: str, *, seconds: int, compute: Callable[[], T]) -> T:
    """The cached value of `key`, or `compute()` stored for `seconds` (0 turns caching off)."""
    if seconds <= 0 or _cache_is_resting():
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        if not _cache_is_resting():  # the read just failed: no second timeout for the write
            cache.set(key, value, timeout=seconds)
    return value


def forget(*keys: str) -> None:
    """Drop cached values whose source changed; an unreachable cache expires them anyway.

    Tried even while reads rest: a skipped delete would serve the old value for its whole
    lifetime once Redis answers again; the socket timeout still bounds the wait.
    """
    cache.delete_many(keys)


def cached_in_generation[T](
    key: str, *, generation_key: str, seconds: int, compute: Callable[[], T]
) -> T:
    """Like `cached`, for values that many keys share a source of (a person's access, say):
    each entry carries the generation it was computed in, and `new_generation` on
    `generation_key` makes every one of them old at once. One round trip when warm."""
    if seconds <= 0 or _cache_is_resting():
        return compute()
    found = cache.get_many([generation_key, key])
    generation, entry = found.get(generation_key), found.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        return cast(T, entry[1])
    value = compute()
    if _cache_is_resting():
        return value
    if generation is None:
        generation = uuid.uuid4().hex
        # add, not set: of two processes starting a generation at once, the first wins and
        # the other's entry is simply not kept.
        if not cache.add(generation_key, generation, timeout=None):
            return value
    cache.set(key, (generation, value), timeout=seconds)
    return value


def new_generation(generation_key: str) -> None:
    """Make every entry of `generation_key` old. Tried even while the cache rests, like
    `forget` (Django's own `set`, past the backend's rest): a missed move would keep old
    entries, a person's removed role say, valid for their whole lifetime."""
    try:
        RedisCache.set(caches["default"], generation_key, uuid.uuid4().hex, timeout=None)
    except RedisError as error:
        _failed(f"move of generation {generation_key}", error)


def redis_client() -> redis.Redis | None:
    """The cache's own Redis client, for the commands the cache API has no words for (sorted
    sets, pipelines), with the cache's short timeouts; None while the cache rests after a
    failure. Keys go through `cache.make_key`, so they share the cache's prefix."""
    if _cache_is_resting():
        return None
    return cast(Any, cache)._cache.get_client(write=True)


def redis_failed(what: str, error: Exception) -> None:
    """A command of `redis_client()` failed: rest the cache like a failed read does."""
    _failed(what, error)


def _failed(what: str, error: Exception) -> None:
    _rest()
    log.warning(
        "cache %s failed (%s); the cache rests for %.0f s", what, error, CACHE_RETRY_SECONDS
    )
