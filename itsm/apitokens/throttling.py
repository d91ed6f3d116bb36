"""DRF throttling on the Redis cache that fails open.

Rates come from settings (ITSM_API_THROTTLE_USER, ITSM_API_THROTTLE_ANON). A refused request
gets 429 with `Retry-After` (DRF's Throttled, through itsm.core.api.exception_handler). When
Redis is unreachable or frozen, the request is let through: rate limits protect the service,
they must not take the API down with the cache. The cache's backend (itsm.core.cache) turns a
failure into a miss and rests for a few seconds, so an outage costs one short timeout, not one
per request.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from itsm.core import cache as core_cache


class _FailOpen(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # DRF binds the rates when the class is defined; read them per request instead, so a
        # changed setting (and a test's override) applies.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def allow_request(self, request, view) -> bool:
        # The cache answers a failed read with a miss (an empty history: allowed); while it
        # rests, skip the write as well.
        if core_cache._cache_is_resting():
            return True
        return super().allow_request(request, view)


class UserThrottle(_FailOpen, UserRateThrottle):
    """Per signed-in person (session or token alike: the limit is the person's)."""


class AnonThrottle(_FailOpen, AnonRateThrottle):
    """Per address, for requests without credentials."""
