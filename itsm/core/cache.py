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
from collections.abc import Callable

from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CACHE_RETRY_SECONDS = 5.0

_state = threading.Lock()
_skip_until = 0.0


def _cache_is_resting() -> bool:
    return time.monotonic() < _skip_until


def _rest() -> None:
    global _skip_until
    with _state:
        _skip_until = time.monotonic() + CACHE_RETRY_SECONDS


def cached[T](key: str, *, seconds: int, compute: Callable[[], T]) -> T:
    """The cached value of `key`, or `compute()` stored for `seconds` (0 turns caching off)."""
    if seconds <= 0 or _cache_is_resting():
        return compute()
    try:
        value = cache.get(key)
    except RedisError as error:
        _rest()
        log.warning("cache read of %s failed (%s); computing it", key, error)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=seconds)
        except RedisError as error:
            _rest()
            log.warning("cache write of %s failed (%s)", key, error)
    return value


def forget(*keys: str) -> None:
    """Drop cached values whose source changed; an unreachable cache expires them anyway.

    Tried even while reads rest: a skipped delete would serve the old value for its whole
    lifetime once Redis answers again; the socket timeout still bounds the wait.
    """
    try:
        cache.delete_many(keys)
    except RedisError as error:
        _rest()
        log.warning("cache delete of %s failed (%s)", keys, error)
