"""Delivery over real SMTP (aiosmtpd on loopback): what counts as "not sent, retry" and what
as "maybe sent, review", and the Message-ID that stays the same across attempts."""

import pytest

from itsm.notifications.choices import NotificationStatus
from itsm.notifications.services import (
    email_message_id,
    notification_create,
    notification_deliver,
    webhook_signature,
)

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "INC0001001 is resolved", "message": "Fixed.", "url": "http://x/INC0001001/"}


def _email_row(user):
    (row,) = notification_create(event="incident_resolved", recipients=[user], context=CONTEXT)
    return row


def test_the_email_carries_a_message_id_derived_from_its_row(requester, smtp_receiver):
    row = _email_row(requester)
    assert notification_deliver(notification_id=row.pk).status == NotificationStatus.SENT
    (message,) = smtp_receiver.accepted
    assert message["Message-ID"] == email_message_id(row)
    assert message["Message-ID"] == f"<{row.event_id}.{row.pk}@example.com>"
    assert message["X-ITSM-Event-Id"] == str(row.event_id)


def test_a_refused_email_is_retried_with_the_same_message_id(requester, smtp_receiver):
    row = _email_row(requester)
    smtp_receiver.behaviour = "refuse"
    first = notification_deliver(notification_id=row.pk)
    assert (first.status, first.attempts) == (NotificationStatus.PENDING, 1)
    assert "451" in first.last_error
    assert smtp_receiver.accepted == []

    smtp_receiver.behaviour = "accept"
    second = notification_deliver(notification_id=row.pk)

    assert (second.status, second.attempts) == (NotificationStatus.SENT, 2)
    assert smtp_receiver.message_ids() == [email_message_id(row)]


def test_an_email_whose_connection_broke_after_the_data_goes_to_review_not_retry(
    requester, smtp_receiver, django_capture_on_commit_callbacks
):
    """GIVEN the server takes the message and hangs up before it answers
    WHEN the worker delivers it
    THEN the row needs review, no retry is scheduled, and no second copy is sent."""
    row = _email_row(requester)
    smtp_receiver.behaviour = "hang_up"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = notification_deliver(notification_id=row.pk)

    assert result.status == NotificationStatus.NEEDS_REVIEW
    assert "may or may not have arrived" in result.last_error
    assert callbacks == []  # no back-off retry was enqueued
    smtp_receiver.behaviour = "accept"
    assert notification_deliver(notification_id=row.pk) is None
    assert len(smtp_receiver.accepted) == 1


def test_an_unreachable_mail_server_is_a_plain_retry(requester, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    result = notification_deliver(notification_id=_email_row(requester).pk)
    assert result.status == NotificationStatus.PENDING
    assert "ConnectionRefusedError" in result.last_error


def test_the_webhook_idempotency_key_is_the_same_on_every_attempt(
    webhook_receiver, make_subscription
):
    make_subscription(url=webhook_receiver.url, secret="k")
    (hook,) = notification_create(event="incident_assigned", recipients=[], context=CONTEXT)
    webhook_receiver.status = 503
    assert notification_deliver(notification_id=hook.pk).status == NotificationStatus.PENDING
    webhook_receiver.status = 204
    assert notification_deliver(notification_id=hook.pk).status == NotificationStatus.SENT

    keys = [headers["X-ITSM-Delivery"] for headers, _ in webhook_receiver.received]
    bodies = {body for _, body in webhook_receiver.received}
    assert keys == [str(hook.event_id)] * 2
    assert len(bodies) == 1  # the same signed body, so the signature matches too
    (body,) = bodies
    assert webhook_receiver.received[1][0]["X-ITSM-Signature"] == webhook_signature(
        secret="k", body=body
    )
