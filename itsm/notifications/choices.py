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


class DeskEvent(models.TextChoices):
    """The events that also reach an agent's notification centre in the desk (the bell), each
    with its own in-app and e-mail choice (NotificationPreference.desk_events). The values are
    the outbox's event names: the outbox writes the in-app rows (services.inapp)."""

    TICKET_ASSIGNED = "ticket_assigned", "Assigned to me"
    TICKET_MENTIONED = "ticket_mentioned", "Mentioned in a work note"
    TICKET_REPLIED = "ticket_replied", "Requester replied"
    APPROVAL_REQUESTED = "approval_requested", "Approval asked of me"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACHED = "sla_breached", "SLA breached"
    MAJOR_INCIDENT_DECLARED = "major_incident_declared", "Major incident declared"
