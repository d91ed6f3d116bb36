"""Writing the notification outbox (DESIGN §6, STYLE §7).

Process services call `notification_create` inside their own transaction; the rows commit or
roll back with the change they report, and delivery is enqueued on commit (`dispatch`).
Bulk writers (the SLA sweep) call `notification_create_many`, which writes many events in a
constant number of queries and leaves the emails to be rendered at delivery.
"""

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from itsm.accounts.models import User
from itsm.cmdb.models import Service
from itsm.core.cache import cached, forget
from itsm.core.ids import time_ordered_uuid
from itsm.core.sql import json_rows
from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification, NotificationPreference, WebhookSubscription
from itsm.notifications.services import channels, dispatch, inapp

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


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
    recipients = list(recipients)
    no_email: frozenset[int] = frozenset()
    if event in inapp.DESK_EVENTS:
        # The desk's bell gets its line here, with the e-mail: one place for every event.
        (fan_out,) = inapp.desk_events_fan_out(
            items=[(event, recipients, context, reference["record_label"])]
        )
        no_email = fan_out.no_email
    rows = [
        Notification(
            event_id=event_id,
            event=event,
            channel=NotificationChannel.EMAIL,
            recipient=user,
            target=user.email,
            next_attempt_at=now,
            **reference,
            **channels.render_email(event=event, context={**context, "recipient": user}),
        )
        for user in _eligible_recipients(recipients, essential=essential)
        if user.pk not in no_email
    ]
    rows += [
        Notification(
            event_id=event_id,
            event=event,
            channel=NotificationChannel.WEBHOOK,
            target=subscription.url,
            subscription=subscription,
            payload=channels.webhook_payload(
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
    # enqueue's own handling, so nothing can turn a committed request into an error.
    dispatch.enqueue_on_commit(ids)
    return created


def notification_create_to_address(
    *, event: str, address: str, context: dict[str, Any], record: models.Model | None = None
) -> Notification | None:
    """Write one e-mail to an address that belongs to nobody we know (the e-mail channel's
    polite refusal to an unknown sender). Same outbox, same delivery; None if already sent."""
    if not EVENT_NAME.match(event):
        raise ValueError(f"Event names are lower_snake_case identifiers, not {event!r}.")
    row = Notification(
        event_id=time_ordered_uuid(),
        event=event,
        channel=NotificationChannel.EMAIL,
        target=address,
        next_attempt_at=timezone.now(),
        **_record_reference(record),
        **channels.render_email(event=event, context=context),
    )
    row.save()
    dispatch.enqueue_on_commit([row.pk])
    return row


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
    references = [_record_reference(item.record) for item in items]
    # The desk's bell lines for the whole batch: two queries, however many items.
    desk = [i for i, item in enumerate(items) if item.event in inapp.DESK_EVENTS]
    fan_outs = dict(
        zip(
            desk,
            inapp.desk_events_fan_out(
                items=[
                    (
                        items[i].event,
                        items[i].recipients,
                        items[i].context,
                        references[i]["record_label"],
                    )
                    for i in desk
                ]
            ),
            strict=True,
        )
    )
    rows = _OutboxRows()
    for index, item in enumerate(items):
        event_id = time_ordered_uuid()
        reference = references[index]
        context = dict(item.context)
        no_email = fan_outs[index].no_email if index in fan_outs else frozenset()
        recipients = _eligible_recipients(
            item.recipients, essential=True, opted_out=set() if item.essential else opted_out
        )
        for user in recipients:
            if user.pk in no_email:
                continue
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
            payload = channels.webhook_payload(
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
        dispatch.enqueue_on_commit(ids)
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


def _eligible_recipients[R: User | Recipient](
    recipients: Iterable[R], *, essential: bool, opted_out: set[int] | None = None
) -> list[R]:
    """Active users with an address, one per address; for non-essential events minus those
    who opted out (looked up here unless the caller passes `opted_out`)."""
    people = {}
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


SUBSCRIPTION_INDEX_KEY = "notifications:webhook-index"


def webhook_index_forget() -> None:
    forget(SUBSCRIPTION_INDEX_KEY)


def _subscription_index() -> list[tuple[int, list[str], int | None]]:
    return [
        (pk, events, service_id)
        for pk, events, service_id in WebhookSubscription.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "events", "service_id")
    ]


def _matching_subscriptions(
    *, event: str, record: models.Model | None
) -> list[WebhookSubscription]:
    # "Subscribers of a service": a record names its service, or is the service itself.
    service_id = record.pk if isinstance(record, Service) else getattr(record, "service_id", None)
    # Which subscriptions want the event comes from a cached index (ids, events, service;
    # never the secrets), so the common case, nobody subscribed, costs no query.
    index = cached(SUBSCRIPTION_INDEX_KEY, seconds=3600, compute=_subscription_index)
    wanted = [
        pk
        for pk, events, for_service in index
        if (not events or event in events) and for_service in (None, service_id)
    ]
    if not wanted:
        return []
    subscriptions = WebhookSubscription.objects.filter(pk__in=wanted, is_active=True)
    return list({s.url: s for s in subscriptions.order_by("pk")}.values())


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
