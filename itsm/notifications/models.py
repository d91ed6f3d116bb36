"""The transactional outbox (DESIGN §6): what must be told to whom, written with the change."""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from itsm.notifications.choices import NotificationChannel, NotificationStatus


def _new_webhook_secret() -> str:
    return secrets.token_hex(32)


class WebhookSubscription(models.Model):
    """An outside system (chat channel, monitoring, another tool) that wants events as JSON.

    `events` empty means every event. With a `service`, only events about records of that
    service are sent ("subscribers of a service"). Every delivery is signed with `secret`
    (HMAC-SHA256 of the raw body) so the receiver can tell it came from us.
    """

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, default=_new_webhook_secret)
    events = ArrayField(
        models.CharField(max_length=80),
        default=list,
        blank=True,
        help_text="Event names such as incident_assigned; empty means every event.",
    )
    is_active = models.BooleanField(default=True)
    service = models.ForeignKey(
        "cmdb.Service",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NotificationPreference(models.Model):
    """What a person agreed to receive. Essential messages (their own tickets, assignments)
    are always sent; only non-essential ones (digests, announcements) can be refused."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    receive_non_essential = models.BooleanField(
        "receive non-essential emails",
        default=True,
        help_text="Announcements and other messages that are not about your own work.",
    )
    # {"ticket_mentioned": {"in_app": true, "email": false}, …} for the desk events
    # (choices.DeskEvent); an event not named here is on for both.
    desk_events = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Notification preference of {self.user}"


class Notification(models.Model):
    """One message to one target, written in the same transaction as the change it reports.

    The row is the source of truth for delivery: `transaction.on_commit` enqueues it, a sweep
    re-enqueues what is still pending, and a worker claims it (pending → sending) with a
    conditional update committed before the send, so a duplicated task never sends twice.
    (event_id, channel, target) is the idempotency key: one occurrence of an event reaches a
    target at most once. A claim that expires without an outcome sends an e-mail to review
    (`needs_review`, never resent by itself) and a webhook call again under the same key.
    """

    event_id = models.UUIDField(help_text="Identifies one occurrence of the event.")
    # Not indexed: the admin's event filter reads the newest rows through `created_at`,
    # and every index here costs each of the SLA sweep's thousands of inserts a minute.
    event = models.CharField(max_length=80)
    channel = models.CharField(max_length=20, choices=NotificationChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    target = models.CharField(max_length=500, help_text="Email address or webhook URL.")
    subscription = models.ForeignKey(
        WebhookSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_index=False,  # the partial `notification_subscription` index below
    )
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    context = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="Template context (title, message, url) of an email rendered at delivery.",
    )
    record_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # `notification_record` leads with it
    )
    record_id = models.BigIntegerField(null=True, blank=True)
    record_label = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took the row for sending."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "channel", "target"], name="notification_once_per_target"
            ),
            models.CheckConstraint(
                condition=Q(channel=NotificationChannel.WEBHOOK) | Q(subscription__isnull=True),
                name="notification_subscription_only_for_webhooks",
            ),
        ]
        indexes = [
            # The sweep's range query: only pending rows are indexed, so the index stays
            # small however many millions of sent rows pile up.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=NotificationStatus.PENDING),
                name="notification_pending_due",
            ),
            # Reclaiming rows a dead worker left in `sending`.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status=NotificationStatus.SENDING),
                name="notification_sending_claimed",
            ),
            # E-mails whose send may or may not have arrived: the admin's warning counts them.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status=NotificationStatus.NEEDS_REVIEW),
                name="notification_needs_review",
            ),
            models.Index(fields=["record_type", "record_id"], name="notification_record"),
            # Webhook rows only: emails, the bulk of the outbox, have no subscription.
            models.Index(
                fields=["subscription"],
                condition=Q(subscription__isnull=False),
                name="notification_subscription",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.target} ({self.status})"


class SentMail(models.Model):
    """A message the local mail backend kept instead of sending it (`EMAIL_URL=dbmail://`).

    `make run` uses it so a developer reads the product's e-mails on an admin page
    (/admin/notifications/sentmail/) instead of seeing whole HTML bodies in the terminal.
    Never used in production, where EMAIL_URL points at an SMTP server.
    """

    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    from_email = models.CharField(max_length=320)
    to = ArrayField(models.CharField(max_length=320), default=list)
    cc = ArrayField(models.CharField(max_length=320), default=list, blank=True)
    subject = models.CharField(max_length=998)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "sent mail"
        verbose_name_plural = "sent mail"

    def __str__(self) -> str:
        return self.subject


class InAppNotification(models.Model):
    """One line in an agent's notification centre (the desk's bell): something that happened
    to them or their work, written by the outbox with the e-mail of the same event.

    Unread lines are counted on every desk page's bell: the partial index holds only unread
    rows, so the count stays a short index range however many read lines pile up.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inapp_notifications",
        db_index=False,  # the two indexes below lead with it
    )
    event = models.CharField(max_length=80)
    title = models.CharField(max_length=255)
    message = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    record_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="inapp_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="inapp_recipient_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}: {self.title}"

    def get_event_display(self) -> str:
        from itsm.notifications.choices import DeskEvent

        return DeskEvent(self.event).label if self.event in DeskEvent.values else self.event
