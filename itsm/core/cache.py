"""Short-lived caching of derived figures that pages read on every load.

The cache is an accelerator, never a source of truth: when Redis is unreachable the value is
computed again and the page is served (slower), not broken.
"""

import logging
from collections.abc import Callable

from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def cached[T](key: str, *, seconds: int, compute: Callable[[], T]) -> T:
    """The cached value of `key`, or `compute()` stored for `seconds` (0 turns caching off)."""
    if seconds <= 0:
        return compute()
    try:
        value = cache.get(key)
    except RedisError as error:
        log.warning("cache read of %s failed (%s); computing it", key, error)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=seconds)
        except RedisError as error:
            log.warning("cache write of %s failed (%s)", key, error)
    return value


def forget(*keys: str) -> None:
    """Drop cached values whose source changed; an unreachable cache expires them anyway."""
    try:
        cache.delete_many(keys)
    except RedisError as error:
        log.warning("cache delete of %s failed (%s)", keys, error)
