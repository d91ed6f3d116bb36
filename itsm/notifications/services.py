"""Writes to the notification outbox and its delivery (DESIGN §6, STYLE §7).

Process services call `notification_create` inside their own transaction; the rows commit or
roll back with the change they report. Delivery happens after commit, in a worker, through
`notification_deliver`, which claims a row before sending so that a duplicated task never
sends twice. A Redis outage only delays delivery: the sweep re-enqueues overdue rows.
Bulk writers (the SLA sweep) call `notification_create_many`, which writes many events in a
constant number of queries and leaves the emails to be rendered at delivery.
"""

import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import os
import re
import smtplib
import threading
import urllib.request
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

from itsm.accounts.models import User
from itsm.cmdb.models import Service
from itsm.core.ids import time_ordered_uuid
from itsm.core.sql import json_rows
from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification, NotificationPreference, WebhookSubscription

logger = logging.getLogger(__name__)

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
# A pending row is "overdue" once its next attempt is this far in the past: the task that
# on_commit (or a back-off retry) enqueued should have run by then, so it was probably lost.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH_SIZE = 500
# Longer than any single send can take (SMTP timeout 10 s, webhook 5 s): a row still in
# `sending` after this was left behind by a worker that died.
SENDING_TIMEOUT = timedelta(minutes=10)
RETRY_DELAY_CAP = timedelta(minutes=30)
WEBHOOK_TIMEOUT_SECONDS = 5
BROKER_TIMEOUT_SECONDS = 2
# Ids per delivery task. Publishing costs about 1 ms a message, so one task per row made the
# publishing of a 10 000-row SLA sweep take longer than the sweep; a chunk is still small
# enough to finish (sends time out at 10 s) far inside the broker's visibility timeout.
DELIVER_CHUNK = 250
# What a dead or unreachable broker raises while publishing.
BROKER_ERRORS = (OperationalError, KombuError, RedisError, OSError)
# What a failed delivery raises; anything else is a bug and is left to the sending timeout.
DELIVERY_ERRORS = (
    smtplib.SMTPException,
    OSError,  # refused/reset connections, DNS, timeouts, urllib.error.URLError/HTTPError
    http.client.HTTPException,
    ValueError,  # a webhook URL urllib cannot open
)


# --- Writing the outbox ---


def notification_create(
    *,
    event: str,
    recipients: Iterable[User],
    context: dict[str, Any],
    record: models.Model | None = None,
    essential: bool = True,
    webhook_payload: dict[str, Any] | None = None,
) -> list[Notification]:
    """Write the outbox rows for one occurrence of `event`: one email per eligible recipient
    and one webhook call per matching active subscription.

    Call it inside the caller's transaction (rows roll back with the change). Skips inactive
    users, users without an email address and, for non-essential events, users who opted
    out. Emails render `notifications/email/{event}{_subject.txt,.txt,.html}`, falling back
    to the `default_*` templates (context keys `title`, `message`, `url`). Delivery is
    enqueued on commit; this function never talks to the broker itself.
    """
    if not EVENT_NAME.match(event):
        raise ValueError(f"Event names are lower_snake_case identifiers, not {event!r}.")
    event_id = time_ordered_uuid()
    now = timezone.now()
    reference = _record_reference(record)
    rows = [
        Notification(
            event_id=event_id,
            event=event,
            channel=NotificationChannel.EMAIL,
            recipient=user,
            target=user.email,
            next_attempt_at=now,
            **reference,
            **_render_email(event=event, context={**context, "recipient": user}),
        )
        for user in _eligible_recipients(recipients, essential=essential)
    ]
    rows += [
        Notification(
            event_id=event_id,
            event=event,
            channel=NotificationChannel.WEBHOOK,
            target=subscription.url,
            subscription=subscription,
            payload=_webhook_payload(
                event=event,
                event_id=event_id,
                context=context,
                label=reference["record_label"],
                payload=webhook_payload,
            ),
            next_attempt_at=now,
            **reference,
        )
        for subscription in _matching_subscriptions(event=event, record=record)
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    # After commit only: a worker must never look for a row that is not visible yet, and a
    # rolled-back change must not notify anyone. robust=True is a second net under
    # _enqueue's own handling, so nothing can turn a committed request into an error.
    _enqueue_on_commit(ids)
    return created


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person to notify, as plain values: bulk writers read users with `values_list`
    instead of building `User` objects (the SLA sweep notifies thousands per run)."""

    pk: int
    email: str
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class RecordRef:
    """The record an event is about, as plain values (see `Recipient`). `service_id` picks
    the subscribers of a service, as a record's `service_id` field does."""

    model: type[models.Model]
    pk: int
    label: str
    service_id: int | None = None


@dataclass(frozen=True)
class NotificationRequest:
    """One occurrence of an event for `notification_create_many`.

    `context` must be JSON-serialisable (title, message and url strings): it is stored on the
    email rows and rendered when they are delivered, not when they are written.
    """

    event: str
    recipients: Sequence[User | Recipient]
    context: Mapping[str, Any]
    record: models.Model | RecordRef | None = None
    essential: bool = True
    webhook_payload: dict[str, Any] | None = None


def notification_create_many(*, items: Iterable[NotificationRequest]) -> int:
    """Write the outbox rows of many events at once; return how many rows were written.

    Same rows as `notification_create` per item (one email per eligible recipient, one
    webhook call per matching subscription, one event_id per item), in a constant number of
    queries however many items: one for the webhook subscriptions of all events in the
    batch, one for the opt-outs when any item is non-essential, one INSERT … SELECT FROM
    unnest(…) that builds no model objects. Emails are not rendered here: the row keeps
    `context` and delivery renders the same templates. Call it inside the caller's
    transaction; delivery is enqueued on commit, in chunks.
    """
    items = list(items)
    for item in items:
        if not EVENT_NAME.match(item.event):
            raise ValueError(f"Event names are lower_snake_case identifiers, not {item.event!r}.")
    if not items:
        return 0
    opted_out = _opted_out_among(
        user for item in items if not item.essential for user in item.recipients if user is not None
    )
    subscriptions = _subscriptions_for_events({item.event for item in items})
    rows = _OutboxRows()
    for item in items:
        event_id = time_ordered_uuid()
        reference = _record_reference(item.record)
        context = dict(item.context)
        recipients = _eligible_recipients(
            item.recipients, essential=True, opted_out=set() if item.essential else opted_out
        )
        for user in recipients:
            rows.add(
                event_id=event_id,
                event=item.event,
                channel=NotificationChannel.EMAIL,
                recipient_id=user.pk,
                target=user.email,
                context=context,
                reference=reference,
            )
        for subscription in _pick_subscriptions(
            subscriptions, event=item.event, record=item.record
        ):
            payload = _webhook_payload(
                event=item.event,
                event_id=event_id,
                context=item.context,
                label=reference["record_label"],
                payload=item.webhook_payload,
            )
            rows.add(
                event_id=event_id,
                event=item.event,
                channel=NotificationChannel.WEBHOOK,
                target=subscription.url,
                subscription_id=subscription.pk,
                payload=payload,
                reference=reference,
            )
    ids = rows.insert()
    if ids:
        _enqueue_on_commit(ids)
    return len(ids)


class _OutboxRows:
    """Outbox rows written by a single INSERT … SELECT FROM jsonb_to_recordset.

    Django's bulk_create compiled a placeholder per field and row and built a model object
    per row, which cost more than the rest of an SLA sweep batch. The rows travel as one
    JSON document (`json_rows`). ON CONFLICT DO NOTHING on the idempotency key (event_id, channel,
    target) makes a row that exists already a no-op rather than an error that would roll
    back the caller's change.
    """

    COLUMNS = (
        ("event_id", "uuid"),
        ("event", "varchar"),
        ("channel", "varchar"),
        ("recipient_id", "bigint"),
        ("target", "varchar"),
        ("subscription_id", "bigint"),
        ("payload", "jsonb"),
        ("context", "jsonb"),
        ("record_type_id", "int"),
        ("record_id", "bigint"),
        ("record_label", "varchar"),
    )

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        *,
        event_id: uuid.UUID,
        event: str,
        channel: str,
        target: str,
        reference: dict[str, Any],
        recipient_id: int | None = None,
        subscription_id: int | None = None,
        payload: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        record_type = reference["record_type"]
        self.rows.append(
            {
                "event_id": str(event_id),
                "event": event,
                "channel": str(channel),
                "recipient_id": recipient_id,
                "target": target,
                "subscription_id": subscription_id,
                "payload": payload or {},
                "context": context or {},
                "record_type_id": record_type.pk if record_type is not None else None,
                "record_id": reference["record_id"],
                "record_label": reference["record_label"],
            }
        )

    def insert(self) -> list[int]:
        if not self.rows:
            return []
        names = ", ".join(name for name, _ in self.COLUMNS)
        typed = ", ".join(f"{name} {kind}" for name, kind in self.COLUMNS)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Notification._meta.db_table} ({names}, subject, body_text, "
                "body_html, status, attempts, next_attempt_at, last_error, created_at) "
                f"SELECT {names}, '', '', '', %s, 0, %s, '', %s "
                f"FROM jsonb_to_recordset(%s::jsonb) AS x({typed}) "
                "ON CONFLICT (event_id, channel, target) DO NOTHING RETURNING id",
                [str(NotificationStatus.PENDING), now, now, json_rows(self.rows)],
            )
            return [row[0] for row in cursor.fetchall()]


_pending = threading.local()


def _enqueue_on_commit(ids: list[int]) -> None:
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
        _enqueue(ids)


def _eligible_recipients[R: User | Recipient](
    recipients: Iterable[R], *, essential: bool, opted_out: set[int] | None = None
) -> list[R]:
    """Active users with an address, one per address; for non-essential events minus those
    who opted out (looked up here unless the caller passes `opted_out`)."""
    people: dict[int, R] = {}
    for user in recipients:
        if user is not None and user.is_active and user.email and user.pk not in people:
            people[user.pk] = user
    if not essential and people:
        opted_out = _opted_out_among(people.values())
    if opted_out:
        people = {pk: user for pk, user in people.items() if pk not in opted_out}
    # One email per address: the idempotency key is (event_id, channel, target).
    by_address = {user.email.lower(): user for user in people.values()}
    return list(by_address.values())


def _opted_out_among(users: Iterable[User | Recipient]) -> set[int]:
    ids = {user.pk for user in users if user.is_active and user.email}
    if not ids:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=ids, receive_non_essential=False
        ).values_list("user_id", flat=True)
    )


def _record_reference(record: models.Model | RecordRef | None) -> dict[str, Any]:
    if record is None:
        return {"record_type": None, "record_id": None, "record_label": ""}
    if isinstance(record, RecordRef):
        return {
            "record_type": ContentType.objects.get_for_model(record.model, for_concrete_model=True),
            "record_id": record.pk,
            "record_label": record.label[:100],
        }
    return {
        "record_type": ContentType.objects.get_for_model(record, for_concrete_model=True),
        "record_id": record.pk,
        "record_label": (getattr(record, "number", "") or str(record))[:100],
    }


def _render_email(*, event: str, context: dict[str, Any]) -> dict[str, str]:
    def pick(suffix: str) -> list[str]:
        return [f"notifications/email/{event}{suffix}", f"notifications/email/default{suffix}"]

    subject = render_to_string(pick("_subject.txt"), context)
    return {
        # A subject is one line: a stray newline from a template would break the header.
        "subject": " ".join(subject.split())[:255],
        "body_text": render_to_string(pick(".txt"), context).strip() + "\n",
        "body_html": render_to_string(pick(".html"), context),
    }


def _matching_subscriptions(
    *, event: str, record: models.Model | None
) -> list[WebhookSubscription]:
    # "Subscribers of a service": a record names its service, or is the service itself.
    service_id = record.pk if isinstance(record, Service) else getattr(record, "service_id", None)
    for_service = Q(service__isnull=True)
    if service_id is not None:
        for_service |= Q(service_id=service_id)
    subscriptions = WebhookSubscription.objects.filter(
        Q(events=[]) | Q(events__contains=[event]), for_service, is_active=True
    ).order_by("pk")
    return list({s.url: s for s in subscriptions}.values())


def _subscriptions_for_events(events: set[str]) -> list[WebhookSubscription]:
    """Every active subscription that wants at least one of `events`, in one query."""
    return list(
        WebhookSubscription.objects.filter(
            Q(events=[]) | Q(events__overlap=sorted(events)), is_active=True
        ).order_by("pk")
    )


def _pick_subscriptions(
    subscriptions: list[WebhookSubscription],
    *,
    event: str,
    record: models.Model | RecordRef | None,
) -> list[WebhookSubscription]:
    """`_matching_subscriptions` applied in memory to rows already loaded for the batch."""
    if isinstance(record, RecordRef):
        service_id = record.pk if record.model is Service else record.service_id
    else:
        service_id = (
            record.pk if isinstance(record, Service) else getattr(record, "service_id", None)
        )
    matching = [
        s
        for s in subscriptions
        if (not s.events or event in s.events)
        and (s.service_id is None or s.service_id == service_id)
    ]
    return list({s.url: s for s in matching}.values())


def _webhook_payload(
    *,
    event: str,
    event_id: uuid.UUID,
    context: Mapping[str, Any],
    label: str,
    payload: dict[str, Any] | None,
) -> dict[str, Any]:
    title = str(context.get("title", ""))
    url = str(context.get("url", ""))
    # Slack and Teams incoming webhooks display a top-level "text" and ignore the rest.
    text = "\n".join(part for part in (title, url) if part) or event
    if payload is not None:
        return {"text": text, **payload}
    return {
        "text": text,
        "event": event,
        "event_id": str(event_id),
        "record": label,
        "title": title,
        "message": str(context.get("message", "")),
        "url": url,
    }


# --- Enqueueing (after commit, never inside a request's wait) ---


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
    connection = app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS)
    _broker.cached = (key, connection)
    return connection, False


def _ids_repr(ids: list[int]) -> str:
    return f"[{len(ids)} notification ids: {ids[0]}…{ids[-1]}]"


def _enqueue(notification_ids: list[int], *, countdown: float | None = None) -> int:
    """Publish delivery tasks for the ids, DELIVER_CHUNK ids per task; return how many ids
    were published.

    A dead broker is logged and swallowed: the rows stay pending and the sweep enqueues
    them later. A kept connection may have gone stale (Redis restarted), so its failure is
    tried once more on a new connection; a new connection that fails is not retried, so a
    dead broker costs one short connect timeout. No Celery producer pool: its default retry
    policy could hold a request for seconds (DESIGN §9).
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


# --- Delivery ---


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one outbox row, at most once per claim.

    Claims the row with a conditional UPDATE pending → sending (and counts the attempt);
    if no row changed, another task already handled it and nothing is sent. The send runs
    outside any transaction (network I/O never holds a lock). Success marks the row sent;
    a failure schedules a retry with back-off or, after ITSM_NOTIFICATION_MAX_ATTEMPTS,
    marks it failed. Returns the row, or None when there was nothing to do.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    notification = Notification.objects.select_related("subscription", "recipient").get(
        pk=notification_id
    )
    rendered: dict[str, str] = {}
    if notification.channel == NotificationChannel.EMAIL and not notification.body_text:
        # Written by notification_create_many: render now, from the stored context.
        rendered = _render_email(
            event=notification.event,
            context={**notification.context, "recipient": notification.recipient},
        )
        for field, value in rendered.items():
            setattr(notification, field, value)
    try:
        if notification.channel == NotificationChannel.EMAIL:
            _send_email(notification)
        else:
            _send_webhook(notification)
    except DELIVERY_ERRORS as exc:
        return _record_failure(notification=notification, error=exc)
    # What was sent is kept on the row (the admin shows it), in the same UPDATE.
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", **rendered
    )
    notification.refresh_from_db()
    return notification


def notification_retry_delay(*, attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failed attempt, capped at 30."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), RETRY_DELAY_CAP)


@transaction.atomic
def _record_failure(*, notification: Notification, error: BaseException) -> Notification:
    max_attempts = settings.ITSM_NOTIFICATION_MAX_ATTEMPTS
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= max_attempts:
        notification.status = NotificationStatus.FAILED
        logger.error(
            "Notification %s to %s failed for good after %d attempts: %s",
            notification.pk,
            notification.target,
            notification.attempts,
            notification.last_error,
        )
    else:
        delay = notification_retry_delay(attempts=notification.attempts)
        notification.status = NotificationStatus.PENDING
        notification.next_attempt_at = timezone.now() + delay
        # Retry ETAs stay under 30 minutes, far below the broker's visibility timeout, so the
        # retry never runs twice because of a redelivery (DESIGN §9). If this enqueue is lost
        # the sweep picks the row up once it is overdue.
        pk = notification.pk
        transaction.on_commit(lambda: _enqueue([pk], countdown=delay.total_seconds()), robust=True)
    notification.save(update_fields=["status", "next_attempt_at", "last_error"])
    return notification


def _send_email(notification: Notification) -> None:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.target],
        headers={
            "X-ITSM-Event": notification.event,
            "X-ITSM-Event-Id": str(notification.event_id),
            # RFC 3834: tells auto-responders not to answer, so no out-of-office loops.
            "Auto-Submitted": "auto-generated",
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    message.send()


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The X-ITSM-Signature header value: `sha256=` + hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _send_webhook(notification: Notification) -> None:
    subscription = notification.subscription
    if subscription is None:
        raise ValueError("The webhook subscription was deleted; nothing to sign with.")
    body = json.dumps(notification.payload, separators=(",", ":"), sort_keys=True).encode()
    if not notification.target.startswith(("http://", "https://")):
        raise ValueError(f"Webhook URLs must be http(s), not {notification.target!r}.")
    request = urllib.request.Request(
        notification.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ITSM-Webhooks/1",
            "X-ITSM-Event": notification.event,
            "X-ITSM-Delivery": str(notification.event_id),
            "X-ITSM-Signature": webhook_signature(secret=subscription.secret, body=body),
        },
    )
    # urlopen raises HTTPError (an OSError) for any non-2xx answer.
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read(1024)


# --- Sweep and operator actions ---


def notification_sweep_batch() -> int:
    """Re-enqueue one batch of overdue pending rows; return how many were enqueued.

    First returns rows stuck in `sending` (a worker died mid-send) to pending, or to failed
    if they used up their attempts. Then claims up to SWEEP_BATCH_SIZE pending rows whose
    next attempt is more than SWEEP_GRACE overdue, with SKIP LOCKED so two sweeps never take
    the same rows, and moves their next_attempt_at to now, so the same row is not enqueued
    again before another grace period has passed. Enqueueing happens after the commit.
    """
    now = timezone.now()
    max_attempts = settings.ITSM_NOTIFICATION_MAX_ATTEMPTS
    # A worker that died after sending but before marking the row sent makes this send a
    # second time: at-least-once in that one window, never a silent loss.
    Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(
        status=Case(
            When(attempts__gte=max_attempts, then=Value(NotificationStatus.FAILED)),
            default=Value(NotificationStatus.PENDING),
        ),
        next_attempt_at=now - SWEEP_GRACE,
        last_error="The worker sending this notification stopped before it finished.",
    )
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(
                status=NotificationStatus.PENDING, next_attempt_at__lte=now - SWEEP_GRACE
            )
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(next_attempt_at=now)
    if ids:
        _enqueue(ids)
    return len(ids)


def notification_sweep(*, max_batches: int = 20) -> int:
    """Run sweep batches until nothing is overdue (or max_batches ran); return the total."""
    total = 0
    for _ in range(max_batches):
        enqueued = notification_sweep_batch()
        total += enqueued
        if enqueued < SWEEP_BATCH_SIZE:
            break
    return total


@transaction.atomic
def notification_retry(*, notification_ids: Iterable[int]) -> int:
    """Operator action: send failed (or waiting) rows again now. Sent rows are left alone,
    so a retry can never produce a second copy of a delivered message."""
    ids = list(
        Notification.objects.filter(
            pk__in=list(notification_ids),
            status__in=[NotificationStatus.FAILED, NotificationStatus.PENDING],
        ).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, next_attempt_at=timezone.now()
    )
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return len(ids)


@transaction.atomic
def notification_preference_update(
    *, user: User, receive_non_essential: bool
) -> NotificationPreference:
    """Record whether `user` wants non-essential emails (essential ones always go out)."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.receive_non_essential = receive_non_essential
    preference.save(update_fields=["receive_non_essential"])
    return preference
