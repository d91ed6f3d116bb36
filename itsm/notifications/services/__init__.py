"""Writes of the notification outbox and its delivery (DESIGN §6, STYLE §7).

One module per concept: `outbox` writes the rows inside the caller's transaction,
`dispatch` enqueues delivery after commit, `delivery` claims and sends one row, `channels`
renders and sends an email or a webhook call, `sweep` gets lost rows moving again and
settles expired send-claims (plus the operator's retry, resend and confirm actions), and
`preferences` records who wants which emails, and `inapp` writes the desk's bell lines
beside them and marks them read. Callers import from here.
"""

from itsm.notifications.services.channels import (
    DELIVERY_ERRORS,
    WEBHOOK_TIMEOUT_SECONDS,
    DeliveryUnconfirmed,
    email_headers,
    email_message_id,
    email_subject,
    email_thread_id,
    reply_to_register,
    webhook_signature,
)
from itsm.notifications.services.delivery import (
    RETRY_DELAY_CAP,
    notification_deliver,
    notification_retry_delay,
)
from itsm.notifications.services.dispatch import (
    BROKER_ERRORS,
    DELIVER_CHUNK,
)
from itsm.notifications.services.inapp import (
    DESK_EVENTS,
    inapp_mark_all_read,
    inapp_mark_read,
    inapp_prune,
    notification_desk_events_update,
)
from itsm.notifications.services.outbox import (
    EVENT_NAME,
    NotificationRequest,
    Recipient,
    RecordRef,
    notification_create,
    notification_create_many,
    notification_create_to_address,
)
from itsm.notifications.services.preferences import notification_preference_update
from itsm.notifications.services.sweep import (
    SENDING_TIMEOUT,
    SWEEP_BATCH_SIZE,
    SWEEP_GRACE,
    notification_confirm_delivered,
    notification_reconcile_expired_claims,
    notification_resend_reviewed,
    notification_retry,
    notification_sweep,
    notification_sweep_batch,
)

__all__ = [
    "BROKER_ERRORS",
    "DELIVERY_ERRORS",
    "DELIVER_CHUNK",
    "DESK_EVENTS",
    "EVENT_NAME",
    "RETRY_DELAY_CAP",
    "SENDING_TIMEOUT",
    "SWEEP_BATCH_SIZE",
    "SWEEP_GRACE",
    "WEBHOOK_TIMEOUT_SECONDS",
    "DeliveryUnconfirmed",
    "NotificationRequest",
    "Recipient",
    "RecordRef",
    "email_headers",
    "email_message_id",
    "email_subject",
    "email_thread_id",
    "inapp_mark_all_read",
    "inapp_mark_read",
    "inapp_prune",
    "notification_confirm_delivered",
    "notification_create",
    "notification_create_many",
    "notification_create_to_address",
    "notification_deliver",
    "notification_desk_events_update",
    "notification_preference_update",
    "notification_reconcile_expired_claims",
    "notification_resend_reviewed",
    "notification_retry",
    "notification_retry_delay",
    "notification_sweep",
    "notification_sweep_batch",
    "reply_to_register",
    "webhook_signature",
]
