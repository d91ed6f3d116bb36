"""The outbox sweep and the operator's actions: what gets a pending row moving again when its
delivery task was lost (a Redis outage, a dead worker) or when an operator asks, and how a
send-claim that never got its outcome is settled per channel."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification
from itsm.notifications.services import dispatch

# A pending row is "overdue" once its next attempt is this far in the past: the task that
# on_commit (or a back-off retry) enqueued should have run by then, so it was probably lost.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH_SIZE = 500
# The lease of a send-claim. Longer than any single send can take (SMTP timeout 10 s,
# webhook 5 s): a row still in `sending` after this was left behind by a worker that died.
SENDING_TIMEOUT = timedelta(minutes=10)
STOPPED_EMAIL_MESSAGE = (
    "The worker sending this e-mail stopped after it started sending and before it recorded "
    "the outcome, so the e-mail may or may not have arrived. It was not sent again "
    "automatically: ask the recipient or search the mail server's log for its Message-ID, "
    "then resend it or mark it delivered."
)


def notification_reconcile_expired_claims(*, now: datetime) -> int:
    """Settle the rows whose send-claim outlived SENDING_TIMEOUT without an outcome (the
    worker died, or lost the database, between claiming and recording); return how many.

    The claim is committed right before the send, so such a row may have been delivered.
    E-mail cannot be taken back or deduplicated by the recipient: it goes to review and is
    never resent automatically (at most once). A webhook call is sent again with the same
    X-ITSM-Delivery key, which a receiver drops if it already has it (at least once), or
    marked failed once it used up its attempts.
    """
    expired = Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    )
    reviewed = expired.filter(channel=NotificationChannel.EMAIL).update(
        status=NotificationStatus.NEEDS_REVIEW, last_error=STOPPED_EMAIL_MESSAGE
    )
    retried = expired.filter(channel=NotificationChannel.WEBHOOK).update(
        status=Case(
            When(
                attempts__gte=settings.ITSM_NOTIFICATION_MAX_ATTEMPTS,
                then=Value(NotificationStatus.FAILED),
            ),
            default=Value(NotificationStatus.PENDING),
        ),
        next_attempt_at=now - SWEEP_GRACE,
        last_error="The worker sending this call stopped before it finished; it is sent "
        "again with the same X-ITSM-Delivery key.",
    )
    return reviewed + retried


def notification_sweep_batch() -> int:
    """Re-enqueue one batch of overdue pending rows; return how many were enqueued.

    First settles rows whose send-claim expired (`notification_reconcile_expired_claims`).
    Then claims up to SWEEP_BATCH_SIZE pending rows whose next attempt is more than
    SWEEP_GRACE overdue, with SKIP LOCKED so two sweeps never take the same rows, and moves
    their next_attempt_at to now, so the same row is not enqueued again before another grace
    period has passed. Enqueueing happens after the commit.
    """
    now = timezone.now()
    notification_reconcile_expired_claims(now=now)
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
        dispatch.enqueue(ids)
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
    return _send_again(
        notification_ids, statuses=[NotificationStatus.FAILED, NotificationStatus.PENDING]
    )


@transaction.atomic
def notification_resend_reviewed(*, notification_ids: Iterable[int]) -> int:
    """Operator action: e-mails in review that the operator found did not arrive are sent
    again now, with the same Message-ID. Only rows in review change; returns how many."""
    return _send_again(notification_ids, statuses=[NotificationStatus.NEEDS_REVIEW])


def _send_again(notification_ids: Iterable[int], *, statuses: list[str]) -> int:
    ids = list(
        Notification.objects.filter(pk__in=list(notification_ids), status__in=statuses)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, next_attempt_at=timezone.now()
    )
    if ids:
        transaction.on_commit(lambda: dispatch.enqueue(ids), robust=True)
    return len(ids)


@transaction.atomic
def notification_confirm_delivered(*, notification_ids: Iterable[int]) -> int:
    """Operator action: rows in review that the recipient did get (the mail server's log
    shows the Message-ID) are marked sent, so they leave the review list without a second
    copy. Only rows in review change; returns how many did."""
    return Notification.objects.filter(
        pk__in=list(notification_ids), status=NotificationStatus.NEEDS_REVIEW
    ).update(status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="")
