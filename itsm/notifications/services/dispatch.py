"""Enqueueing delivery tasks: after commit, in chunks, never inside a request's wait (DESIGN §9).

A dead broker is logged, never raised: the outbox rows stay pending and the sweep enqueues
them later, so a Redis outage delays delivery but loses nothing.
"""

import contextlib
import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.db import transaction
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Ids per delivery task. Publishing costs about 1 ms a message, so one task per row made the
# publishing of a 10 000-row SLA sweep take longer than the sweep; a chunk is still small
# enough to finish (sends time out at 10 s) far inside the broker's visibility timeout.
DELIVER_CHUNK = 250
# What a dead or unreachable broker raises while publishing.
BROKER_ERRORS = (OperationalError, KombuError, RedisError, OSError)


_pending = threading.local()


def enqueue_on_commit(ids: list[int]) -> None:
    """Collect the ids of one transaction and publish them over ONE broker connection.

    Every call registers a callback, but the first one to run drains the whole list (the
    SLA sweep notifies hundreds of clocks per transaction; a connection each cost 35 ms).
    Ids left behind by a rolled-back transaction go out with the next commit and their
    delivery task finds no row, which it logs and ignores.
    """
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = []
    pending.extend(ids)
    transaction.on_commit(_drain_pending, robust=True)


def _drain_pending() -> None:
    ids, _pending.ids = getattr(_pending, "ids", []), []
    if ids:
        enqueue(ids)


_broker = threading.local()


def _broker_connection(*, fresh: bool = False) -> tuple[Any, bool]:
    """This thread's broker connection for enqueueing and whether it was reused.

    Opened on first use with a short timeout and kept: opening one (and declaring the queue
    on it) per commit cost more than the publishes. Keyed by process and broker URL, so a
    forked child or a changed URL never reuses a connection that is not its own.
    """
    from itsm.celery import app

    key = (os.getpid(), app.conf.broker_url)
    cached = getattr(_broker, "cached", None)
    if cached is not None and (fresh or cached[0] != key):
        _broker.cached = None
        with contextlib.suppress(*BROKER_ERRORS):
            cached[1].release()
        cached = None
    if cached is not None:
        return cached[1], True
    # Short socket timeouts for this connection only (the worker's own consuming connection
    # keeps the longer ones): a frozen Redis accepts the TCP connection and then never
    # answers, so only a read timeout bounds the wait.
    timeout = settings.ITSM_BROKER_PUBLISH_TIMEOUT
    connection = app.connection_for_write(
        connect_timeout=timeout,
        # max_retries 0: kombu's connect retry would wait out the whole timeout between
        # attempts on a refused connection.
        transport_options={
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "max_retries": 0,
        },
    )
    _broker.cached = (key, connection)
    return connection, False


def _ids_repr(ids: list[int]) -> str:
    return f"[{len(ids)} notification ids: {ids[0]}…{ids[-1]}]"


def enqueue(notification_ids: list[int], *, countdown: float | None = None) -> int:
    """Publish delivery tasks for the ids, DELIVER_CHUNK ids per task; return how many ids
    were published.

    A dead broker is logged and swallowed: the rows stay pending and the sweep enqueues
    them later. A kept connection may have gone stale (Redis restarted), so its failure is
    tried once more on a new connection; a new connection that fails is not retried, so a
    dead or frozen broker costs a request at most two ITSM_BROKER_PUBLISH_TIMEOUTs. No
    Celery producer pool: its default retry policy could hold a request for seconds
    (DESIGN §9).
    """
    from itsm.notifications.tasks import notification_deliver_many

    chunks = [
        notification_ids[start : start + DELIVER_CHUNK]
        for start in range(0, len(notification_ids), DELIVER_CHUNK)
    ]
    published = 0
    fresh = False
    while True:
        connection, reused = None, False
        try:
            connection, reused = _broker_connection(fresh=fresh)
            while chunks:
                notification_deliver_many.apply_async(
                    args=[chunks[0]],
                    countdown=countdown,
                    connection=connection,
                    # Celery's publish retry sleeps between attempts (0.6 s in all); the one
                    # retry on a fresh connection below is all a request can afford.
                    retry=False,
                    # Celery's own repr of 250 ids, for its logs, cost more than the publish.
                    argsrepr=_ids_repr(chunks[0]),
                )
                published += len(chunks.pop(0))
            return published
        except BROKER_ERRORS as exc:
            if reused and not fresh:
                fresh = True
                continue
            _broker.cached = None
            logger.warning(
                "Could not enqueue %d notification(s), the sweep will retry: %s",
                len(notification_ids) - published,
                exc,
            )
            return published
