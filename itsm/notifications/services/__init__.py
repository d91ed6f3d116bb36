"""Writes of the notification outbox and its delivery (DESIGN §6, STYLE §7).

One module per concept: `outbox` writes the rows inside the caller's transaction,
`dispatch` enqueues delivery after commit, `delivery` claims and sends one row, `channels`
renders and sends an email or a webhook call, `sweep` gets lost rows moving again, and
`preferences` records who wants which emails. Callers import from here.
"""

from itsm.notifications.services.channels import (
    DELIVERY_ERRORS,
    WEBHOOK_TIMEOUT_SECONDS,
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
from itsm.notifications.services.outbox import (
    EVENT_NAME,
    NotificationRequest,
    Recipient,
    RecordRef,
    notification_create,
    notification_create_many,
)
from itsm.notifications.services.preferences import notification_preference_update
from itsm.notifications.services.sweep import (
    SENDING_TIMEOUT,
    SWEEP_BATCH_SIZE,
    SWEEP_GRACE,
    notification_retry,
    notification_sweep,
    notification_sweep_batch,
)

__all__ = [
    "BROKER_ERRORS",
    "DELIVERY_ERRORS",
    "DELIVER_CHUNK",
    "EVENT_NAME",
    "RETRY_DELAY_CAP",
    "SENDING_TIMEOUT",
    "SWEEP_BATCH_SIZE",
    "SWEEP_GRACE",
    "WEBHOOK_TIMEOUT_SECONDS",
    "NotificationRequest",
    "Recipient",
    "RecordRef",
    "notification_create",
    "notification_create_many",
    "notification_deliver",
    "notification_preference_update",
    "notification_retry",
    "notification_retry_delay",
    "notification_sweep",
    "notification_sweep_batch",
    "webhook_signature",
]
