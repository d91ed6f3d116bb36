"""Delivering one outbox row: claim it, send it outside any transaction, record the outcome.

The claim (a conditional UPDATE pending → sending, committed before the send) is what makes
a duplicated or redelivered task send nothing twice, and what the sweep reconciles when a
worker dies before recording the outcome. Channels are called through their module
(`channels.send_email`), and retries are enqueued through `dispatch.enqueue`, so each has one
place to replace.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification
from itsm.notifications.services import channels, dispatch

logger = logging.getLogger(__name__)

RETRY_DELAY_CAP = timedelta(minutes=30)


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one outbox row, at most once per claim.

    Reads and renders the pending row, then claims it with a conditional UPDATE
    pending → sending that stamps `claimed_at` and counts the attempt, committed on its own
    right before the send: if no row changed, another task already handled it and nothing
    is sent. The claim is the send-claim the sweep reconciles (`SENDING_TIMEOUT`). The send
    runs outside any transaction (network I/O never holds a lock). Success marks the row
    sent; a refusal schedules a retry with back-off or, after
    ITSM_NOTIFICATION_MAX_ATTEMPTS, marks it failed; an e-mail that may have been accepted
    goes to review. Called outside any transaction (the claim must be committed before the
    send starts). Returns the row, or None when there was nothing to do.
    """
    notification = (
        Notification.objects.select_related("subscription", "recipient")
        .filter(pk=notification_id, status=NotificationStatus.PENDING)
        .first()
    )
    if notification is None:
        return None
    rendered: dict[str, str] = {}
    if notification.channel == NotificationChannel.EMAIL and not notification.body_text:
        # Written by notification_create_many: render now, from the stored context.
        rendered = channels.render_email(
            event=notification.event,
            context={**notification.context, "recipient": notification.recipient},
        )
        for field, value in rendered.items():
            setattr(notification, field, value)
    # Rendering comes before the claim on purpose: between the committed claim and the SMTP
    # transaction nothing can fail but the send itself, so a claim without a sent mark
    # means "maybe sent", never "a template broke".
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    notification.attempts += 1
    try:
        if notification.channel == NotificationChannel.EMAIL:
            channels.send_email(notification)
        else:
            channels.send_webhook(notification)
    except channels.DeliveryUnconfirmed as exc:
        return _record_unconfirmed(notification=notification, claimed_at=claimed_at, error=exc)
    except channels.DELIVERY_ERRORS as exc:
        return _record_failure(notification=notification, error=exc)
    # What was sent is kept on the row (the admin shows it), in the same UPDATE. Only this
    # claim's row: a slow send whose lease the sweep already ended (review) still records
    # that it got through, but a row re-claimed since is left to its new owner.
    Notification.objects.filter(
        pk=notification.pk,
        claimed_at=claimed_at,
        status__in=[NotificationStatus.SENDING, NotificationStatus.NEEDS_REVIEW],
    ).update(status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", **rendered)
    notification.refresh_from_db()
    return notification


def notification_retry_delay(*, attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failed attempt, capped at 30."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), RETRY_DELAY_CAP)


UNCONFIRMED_MESSAGE = (
    "The connection to the mail server broke while this e-mail was being sent, so it may "
    "or may not have arrived. It was not sent again automatically: ask the recipient or "
    "search the mail server's log for its Message-ID, then resend it or mark it delivered."
)


def _record_unconfirmed(
    *, notification: Notification, claimed_at: datetime, error: BaseException
) -> Notification:
    logger.warning(
        "Notification %s to %s may or may not have been delivered; it needs review: %s",
        notification.pk,
        notification.target,
        error,
    )
    Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.SENDING, claimed_at=claimed_at
    ).update(
        status=NotificationStatus.NEEDS_REVIEW,
        last_error=f"{UNCONFIRMED_MESSAGE} ({error})"[:2000],
    )
    notification.refresh_from_db()
    return notification


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
        transaction.on_commit(
            lambda: dispatch.enqueue([pk], countdown=delay.total_seconds()), robust=True
        )
    notification.save(update_fields=["status", "next_attempt_at", "last_error"])
    return notification
