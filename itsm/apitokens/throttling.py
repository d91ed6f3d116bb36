"""DRF throttling on the Redis cache that fails open.

Rates come from settings (ITSM_API_THROTTLE_USER, ITSM_API_THROTTLE_ANON). A refused request
gets 429 with `Retry-After` (DRF's Throttled, through itsm.core.api.exception_handler). When
Redis is unreachable or frozen, the request is let through: rate limits protect the service,
they must not take the API down with the cache. Like itsm.core.cache, one failure makes this
process leave the cache alone for a few seconds, so an outage costs one short timeout, not one
per request.
"""

import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from itsm.core import cache as core_cache

log = logging.getLogger(__name__)


class _FailOpen(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # DRF binds the rates when the class is defined; read them per request instead, so a
        # changed setting (and a test's override) applies.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def allow_request(self, request, view) -> bool:
        if core_cache._cache_is_resting():
            return True
        try:
            return super().allow_request(request, view)
        except RedisError as error:
            core_cache._rest()
            log.warning("API throttling skipped: the cache is unreachable (%s)", error)
            return True


class UserThrottle(_FailOpen, UserRateThrottle):
    """Per signed-in person (session or token alike: the limit is the person's)."""


class AnonThrottle(_FailOpen, AnonRateThrottle):
    """Per address, for requests without credentials."""
