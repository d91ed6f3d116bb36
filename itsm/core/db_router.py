"""Read replicas: the reads that tolerate a little lag go to a PostgreSQL streaming replica.

DESIGN §11. `DATABASE_REPLICA_URLS` adds the aliases `replica1 … replicaN` (itsm/settings.py);
without it this module routes everything to `default` and costs nothing.

Which reads: GET/HEAD requests to the views in `REPLICA_URL_NAMES` (dashboards, reports,
search, exports) and every DRF `list` action (the API lists). `ReplicaMiddleware` decides in
`process_view`, per request; `ReplicaRouter` reads that decision. Everything else, and every
write, uses the primary; so does code outside a request (Celery tasks, commands) unless it
opts in with `with reads_from_replica():` (no caller does yet; the tests cover requests).

Read-your-writes: a request that wrote (a non-safe method that succeeded, or any ORM write
routed to the primary during the request) gets a signed cookie that keeps that person's reads
on the primary for `ITSM_REPLICA_STICKY_SECONDS`. Within a request, the first write sends the
rest of the request's reads to the primary, and reads inside a transaction on the primary
stay there.

Falling back: a replica that cannot be connected to is skipped for
`ITSM_REPLICA_DOWN_SECONDS` (the connection attempt is bounded by `connect_timeout`); one
whose replay lags more than `ITSM_REPLICA_MAX_LAG_SECONDS` behind is skipped until a later
check finds it caught up. The lag is asked at most every `ITSM_REPLICA_CHECK_SECONDS` per
process and replica.
"""

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

PRIMARY = "default"
STICKY_COOKIE = "itsm_primary_reads"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# The pages whose reads may lag a few seconds (besides every API list): dashboards and
# reports, search, exports.
REPLICA_URL_NAMES = frozenset(
    {
        "dashboards:overview",
        "dashboards:processes",
        "dashboards:sla-tickets",
        "dashboards:api-metric",
        "desk-home-api",
        "ticket-export",
        "tickets:desk-ticket-export",
        "knowledge:portal-article-search",
        "portal:search",
    }
)

# The lag in seconds, 0 when the replica has replayed everything it received (an idle primary
# writes no WAL, so the last replay's age alone would grow for ever), NULL on a primary.
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


# --- Per-process health of each replica ---


@dataclass
class _Health:
    checked_at: float = float("-inf")  # monotonic time of the last lag check
    down_until: float = float("-inf")
    lag: float | None = None


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(alias: str) -> _Health:
    with _health_lock:
        return _health.setdefault(alias, _Health())


def mark_down(alias: str) -> None:
    """Skip `alias` for ITSM_REPLICA_DOWN_SECONDS, and drop its (broken) connection."""
    _health_of(alias).down_until = time.monotonic() + settings.ITSM_REPLICA_DOWN_SECONDS
    with contextlib.suppress(DatabaseError):
        connections[alias].close()
    logger.warning("replica %s unreachable: reads go to the primary for now", alias)


def forget_health() -> None:
    """Forget what this process knows about replicas (tests; a changed configuration)."""
    with _health_lock:
        _health.clear()


def _usable(alias: str) -> bool:
    """Connect (or health-check the kept connection: Django does that once per request
    anyway), and ask the lag when the last answer is older than ITSM_REPLICA_CHECK_SECONDS."""
    health = _health_of(alias)
    now = time.monotonic()
    if now < health.down_until:
        return False
    try:
        with connections[alias].cursor() as cursor:
            if now - health.checked_at >= settings.ITSM_REPLICA_CHECK_SECONDS:
                cursor.execute(LAG_SQL)
                (lag,) = cursor.fetchone()
                health.lag = None if lag is None else float(lag)
                health.checked_at = now
    except DatabaseError:
        mark_down(alias)
        return False
    if health.lag is not None and health.lag > settings.ITSM_REPLICA_MAX_LAG_SECONDS:
        logger.warning("replica %s lags %.1f s: reads go to the primary", alias, health.lag)
        return False
    return True


def choose_replica() -> str | None:
    """A usable replica (a random one first, to spread the load), or None for the primary."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    for alias in aliases:
        if _usable(alias):
            return alias
    return None


# --- Where this request's reads go ---


# Writes that record the visit, not the person's work — the session, "last seen", a token's
# last use, the ticket-seen marker, the queue's last view: nothing a later read of theirs
# must find, so they do not keep the rest of the request (or the person) on the primary.
BOOKKEEPING = frozenset(
    {
        "sessions.Session",
        "usersessions.UserSession",
        "apitokens.PersonalAccessToken",
        "tickets.TicketSeen",
        "tickets.QueuePreference",
    }
)


@dataclass
class _Routing:
    """Mutable on purpose: set once per request in a ContextVar, changed in place by the
    middleware and the router, so a copied context (asgiref's sync_to_async) sees the same."""

    alias: str | None = None
    wrote: bool = False
    sticky: bool = False


_routing: ContextVar[_Routing | None] = ContextVar("itsm_replica_routing", default=None)


@contextlib.contextmanager
def reads_from_replica() -> Iterator[str | None]:
    """Send the reads in this block to a usable replica (yields its alias, or None when
    there is none and the primary serves them). Inside a request that must read its own
    writes, this keeps to the primary."""
    current = _routing.get()
    if current is not None and (current.sticky or current.wrote):
        yield None
        return
    routing = _Routing(alias=choose_replica())
    token = _routing.set(routing)
    try:
        yield routing.alias
    finally:
        _routing.reset(token)


class ReplicaRouter:
    """Reads go where the request's routing says (the primary unless a replica was chosen);
    writes, migrations and reads inside a transaction on the primary go to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        routing = _routing.get()
        if routing is None or routing.alias is None:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return routing.alias

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        routing = _routing.get()
        if routing is not None and model._meta.label not in BOOKKEEPING:
            # Read-your-writes: from here on this request, and for a few seconds this person,
            # read from the primary.
            routing.wrote = True
            routing.alias = None
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def _wants_replica(request: HttpRequest, view_func: Callable[..., Any]) -> bool:
    if request.method not in SAFE_METHODS:
        return False
    actions = getattr(view_func, "actions", None)  # a DRF viewset: method → action
    if actions and actions.get(request.method.lower()) == "list":
        return True
    match = request.resolver_match
    return match is not None and match.view_name in REPLICA_URL_NAMES


def _keep_routing(chunks: Iterable[Any], routing: _Routing) -> Iterator[Any]:
    """`chunks`, each produced under `routing` (the request's context is gone by then)."""
    iterator = iter(chunks)
    while True:
        token = _routing.set(routing)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _routing.reset(token)
        yield chunk


class ReplicaMiddleware:
    """Chooses where a request's reads go and keeps a person who just wrote on the primary.

    Without a replica configured it does nothing at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_aliases():
            return self.get_response(request)
        routing = _Routing(sticky=self._sticky(request))
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if routing.alias is not None and response.streaming:
            # A streamed export reads its rows while the server sends them, after this
            # middleware returned: keep them on the replica the view was given.
            response.streaming_content = _keep_routing(response.streaming_content, routing)  # type: ignore[attr-defined]
        if routing.alias is not None and response.status_code == 503:
            # The chosen replica went away during the request (refusals turned the error
            # into a 503): the next requests use the others or the primary.
            mark_down(routing.alias)
        wrote = routing.wrote or (request.method not in SAFE_METHODS and response.status_code < 400)
        if wrote:
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=STICKY_COOKIE,
                max_age=settings.ITSM_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    @staticmethod
    def _sticky(request: HttpRequest) -> bool:
        # The signature's timestamp bounds the cookie's life, whatever the browser does.
        return (
            request.get_signed_cookie(
                STICKY_COOKIE,
                default=None,
                salt=STICKY_COOKIE,
                max_age=settings.ITSM_REPLICA_STICKY_SECONDS,
            )
            is not None
        )

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        routing = _routing.get()
        if routing is None or routing.sticky or routing.wrote:
            return
        if _wants_replica(request, view_func):
            routing.alias = choose_replica()
