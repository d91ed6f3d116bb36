"""Where Redis is: one address (REDIS_URL), or a master that Redis Sentinel names.

With `REDIS_SENTINELS=host:port,host:port` and `REDIS_SENTINEL_MASTER=name`, every part that
opens Redis asks the Sentinels for the current master when it connects, so a failover moves
the cache, the Celery broker and its results to the promoted replica without a restart: the
cache through `SentinelMasterPool` (settings.CACHES), Celery through kombu's and Celery's own
`sentinel://` transports (`celery_urls`), the health check and the start-up check through
`master_client`. REDIS_URL then gives only the database number and the password.
"""

from typing import Any
from urllib.parse import quote, urlsplit

import redis
from django.conf import settings
from redis.sentinel import Sentinel, SentinelConnectionPool


def parse_sentinels(value: list[str]) -> list[tuple[str, int]]:
    """`["s1:26379", "s2"]` as (host, port) pairs (26379 when the port is left out)."""
    addresses = []
    for item in value:
        host, _, port = item.strip().rpartition(":") if ":" in item else (item.strip(), "", "")
        if not host or (port and not port.isdigit()):
            raise ValueError(f"REDIS_SENTINELS: {item!r} is not host:port")
        addresses.append((host, int(port or 26379)))
    return addresses


def celery_urls(redis_url: str, sentinels: list[tuple[str, int]]) -> tuple[str, str]:
    """The Celery broker and result URLs for REDIS_URL's database (results on database 1)
    through the Sentinels, in the `sentinel://…;sentinel://…` form kombu and Celery read."""
    parts = urlsplit(redis_url)
    auth = f":{quote(parts.password, safe='')}@" if parts.password else ""
    db = (parts.path or "/0").lstrip("/") or "0"

    def joined(database: str) -> str:
        return ";".join(f"sentinel://{auth}{host}:{port}/{database}" for host, port in sentinels)

    return joined(db), joined("1")


def _sentinel(sentinels: list[tuple[str, int]], timeout: float) -> Sentinel:
    # The Sentinels answer within the same bound as Redis itself: a request that has to
    # find the master waits at most one timeout per Sentinel, never longer.
    return Sentinel(
        sentinels,
        sentinel_kwargs={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )


class SentinelMasterPool(SentinelConnectionPool):
    """A connection pool to the master Sentinel names, for Django's Redis cache: its
    `pool_class` option, built with `from_url(REDIS_URL, sentinels=…, sentinel_master=…)`.
    A connection that breaks is opened again to whichever server is master by then."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "SentinelMasterPool":
        sentinels = [tuple(address) for address in kwargs.pop("sentinels")]
        master = kwargs.pop("sentinel_master")
        parts = urlsplit(url)
        timeout = kwargs.get("socket_timeout") or 1.0
        return cls(
            master,
            _sentinel(sentinels, timeout),
            db=int((parts.path or "/0").lstrip("/") or 0),
            password=parts.password,
            **kwargs,
        )


def master_client(*, timeout: float) -> redis.Redis:
    """A client for REDIS_URL's database on the current master (through Sentinel when
    REDIS_SENTINELS is set), every command bounded by `timeout` seconds."""
    if not settings.REDIS_SENTINELS:
        return redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
    parts = urlsplit(settings.REDIS_URL)
    return _sentinel(parse_sentinels(settings.REDIS_SENTINELS), timeout).master_for(
        settings.REDIS_SENTINEL_MASTER,
        db=int((parts.path or "/0").lstrip("/") or 0),
        password=parts.password,
    )
