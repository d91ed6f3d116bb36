from django.db import models


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # An e-mail whose worker stopped between the send-claim and the sent mark: it may or may
    # not have reached the recipient, so it is never resent automatically (README, delivery).
    NEEDS_REVIEW = "needs_review", "Needs review"


NOTIFICATION_STATUS_BADGE = {
    NotificationStatus.PENDING: "secondary",
    NotificationStatus.SENDING: "info",
    NotificationStatus.SENT: "success",
    NotificationStatus.FAILED: "danger",
    NotificationStatus.NEEDS_REVIEW: "warning",
}
