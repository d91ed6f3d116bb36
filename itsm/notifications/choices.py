from django.db import models


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


NOTIFICATION_STATUS_BADGE = {
    NotificationStatus.PENDING: "secondary",
    NotificationStatus.SENDING: "info",
    NotificationStatus.SENT: "success",
    NotificationStatus.FAILED: "danger",
}
