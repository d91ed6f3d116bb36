"""Reads for the notification pages."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from itsm.accounts.models import User
from itsm.notifications.choices import NotificationStatus
from itsm.notifications.models import InAppNotification, Notification, NotificationPreference

# A record's "who was told" panel lists at most this many rows.
RECORD_NOTIFICATIONS_LIMIT = 200


def notification_preference_get_for_user(*, user: User) -> NotificationPreference:
    """The user's preference, or an unsaved default (everything on) if they never chose."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def notification_list_for_record(
    *, record: models.Model, events: Iterable[str]
) -> QuerySet[Notification]:
    """The outbox rows written about `record` for `events`, oldest first, with their
    recipient: who was told and whether it left (pending, sent, failed). Bounded, and read
    through the (record_type, record_id) index."""
    return (
        Notification.objects.filter(
            record_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
            record_id=record.pk,
            event__in=list(events),
        )
        .select_related("recipient")
        .order_by("created_at", "id")[:RECORD_NOTIFICATIONS_LIMIT]
    )


def notification_count_needing_review() -> int:
    """How many e-mails may or may not have arrived and wait for an administrator (the
    outbox admin's warning); read through the partial `notification_needs_review` index."""
    return Notification.objects.filter(status=NotificationStatus.NEEDS_REVIEW).count()


# The bell shows "99+" past this: the count reads at most this many index entries.
UNREAD_CAP = 99
INBOX_PAGE_SIZE = 50


def inapp_unread_count(*, user: User) -> int:
    """How many unread lines the desk's bell shows, capped at UNREAD_CAP + 1: one bounded
    query on the partial `inapp_unread` index (only unread rows), never a scan."""
    return (
        InAppNotification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by()
        .values("id")[: UNREAD_CAP + 1]
        .count()
    )


def inapp_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[InAppNotification]:
    """The notification centre's lines, newest first, through (recipient, -created_at)."""
    lines = InAppNotification.objects.filter(recipient=user)
    if unread_only:
        lines = lines.filter(read_at__isnull=True)
    return lines.order_by("-created_at", "-id")
