"""The outbox sweep and the operator's retry: what gets a pending row moving again when its
delivery task was lost (a Redis outage, a dead worker) or when an operator asks."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from itsm.notifications.choices import NotificationStatus
from itsm.notifications.models import Notification
from itsm.notifications.services import dispatch

# A pending row is "overdue" once its next attempt is this far in the past: the task that
# on_commit (or a back-off retry) enqueued should have run by then, so it was probably lost.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH_SIZE = 500
# Longer than any single send can take (SMTP timeout 10 s, webhook 5 s): a row still in
# `sending` after this was left behind by a worker that died.
SENDING_TIMEOUT = timedelta(minutes=10)


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
        transaction.on_commit(lambda: dispatch.enqueue(ids), robust=True)
    return len(ids)
