"""The two delivery channels (DESIGN §6): what an email or a webhook call looks like, and how
each is sent. Rendering and sending only: claiming, retries and the outbox rows are the
callers' business (`outbox`, `delivery`).
"""

import contextlib
import hashlib
import hmac
import http.client
import json
import smtplib
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string

from itsm.notifications.models import Notification

WEBHOOK_TIMEOUT_SECONDS = 5
# What a failed delivery raises; anything else is a bug and is left to the sending timeout.
DELIVERY_ERRORS = (
    smtplib.SMTPException,
    OSError,  # refused/reset connections, DNS, timeouts, urllib.error.URLError/HTTPError
    http.client.HTTPException,
    ValueError,  # a webhook URL urllib cannot open
)
# SMTP errors that carry the server's answer to our command (or a refusal of every
# recipient): the server said no, so the message was not accepted and may be sent again.
SMTP_REFUSALS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class DeliveryUnconfirmed(Exception):
    """The e-mail may have been accepted by the mail server, or not: the connection broke
    while the message was on its way (a timeout, a reset, a disconnect). Sending it again
    could deliver it twice, so the row goes to review instead of being retried."""


# --- Email ---


def render_email(*, event: str, context: dict[str, Any]) -> dict[str, str]:
    """Subject and bodies from `notifications/email/{event}…`, else the `default…` templates."""

    def pick(suffix: str) -> list[str]:
        return [f"notifications/email/{event}{suffix}", f"notifications/email/default{suffix}"]

    subject = render_to_string(pick("_subject.txt"), context)
    return {
        # A subject is one line: a stray newline from a template would break the header.
        "subject": " ".join(subject.split())[:255],
        "body_text": render_to_string(pick(".txt"), context).strip() + "\n",
        "body_html": render_to_string(pick(".html"), context),
    }


def email_message_id(notification: Notification) -> str:
    """The Message-ID of the row's e-mail: the same on every attempt, unique per row (its
    id and event id), so a mail server or the recipient can tell two copies apart, and
    replies can be matched to what we sent (DESIGN §10)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or DNS_NAME.get_fqdn()
    # Short enough that the header is never folded (RFC 5322 keeps lines under 78).
    return f"<{notification.event_id}.{notification.pk}@{domain}>"


def email_thread_id(notification: Notification) -> str:
    """The Message-ID of the thread a record's e-mails belong to, or "" without a record.

    Never the ID of a real message: every e-mail about the record names it in In-Reply-To and
    References, so mail clients group them and a reply carries it back (the e-mail channel
    finds the record by it)."""
    if not notification.record_label:
        return ""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or DNS_NAME.get_fqdn()
    label = "".join(ch for ch in notification.record_label if ch.isalnum())
    return f"<thread.{label}@{domain}>" if label else ""


# Who answers e-mails about a record: callables taking the notification and returning an
# address or "". Apps above the platform register one (the e-mail channel: its mailbox), so
# a reply lands where it is read.
REPLY_TO_RESOLVERS: list[Callable[[Notification], str]] = []


def reply_to_register(resolver: Callable[[Notification], str]) -> None:
    if resolver not in REPLY_TO_RESOLVERS:
        REPLY_TO_RESOLVERS.append(resolver)


def _reply_to(notification: Notification) -> str:
    for resolver in REPLY_TO_RESOLVERS:
        if address := resolver(notification):
            return address
    return ""


def email_subject(notification: Notification) -> str:
    """The subject with the record's number in brackets ("[INC0001234]"), which is how a
    reply whose headers were lost still finds its record."""
    label = notification.record_label
    if not label or f"[{label}]" in notification.subject:
        return notification.subject
    return f"{notification.subject} [{label}]"


def email_headers(notification: Notification) -> dict[str, str]:
    headers = {
        "X-ITSM-Event": notification.event,
        "X-ITSM-Event-Id": str(notification.event_id),
        "Message-ID": email_message_id(notification),
        # RFC 3834: tells auto-responders not to answer, so no out-of-office loops.
        "Auto-Submitted": "auto-generated",
    }
    if thread := email_thread_id(notification):
        headers["In-Reply-To"] = thread
        headers["References"] = thread
    if reply_to := _reply_to(notification):
        headers["Reply-To"] = reply_to
    return headers


def send_email(notification: Notification) -> None:
    """Send the row's e-mail through the default mailer.

    Raises a DELIVERY_ERRORS error when the message was certainly not accepted (no
    connection, or the server refused it: safe to retry) and DeliveryUnconfirmed when the
    connection broke after it was opened without a refusal (maybe delivered).
    """
    message = EmailMultiAlternatives(
        subject=email_subject(notification),
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.target],
        headers=email_headers(notification),
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    mailer = mailers.default
    # Opened first and on its own: a failure here means nothing left, so it is retried.
    mailer.open()
    try:
        mailer.send_messages([message])
    except SMTP_REFUSALS:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryUnconfirmed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            mailer.close()


# --- Webhook ---


def webhook_payload(
    *,
    event: str,
    event_id: uuid.UUID,
    context: Mapping[str, Any],
    label: str,
    payload: dict[str, Any] | None,
) -> dict[str, Any]:
    title = str(context.get("title", ""))
    url = str(context.get("url", ""))
    # Slack and Teams incoming webhooks display a top-level "text" and ignore the rest.
    text = "\n".join(part for part in (title, url) if part) or event
    if payload is not None:
        return {"text": text, **payload}
    return {
        "text": text,
        "event": event,
        "event_id": str(event_id),
        "record": label,
        "title": title,
        "message": str(context.get("message", "")),
        "url": url,
    }


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The X-ITSM-Signature header value: `sha256=` + hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def send_webhook(notification: Notification) -> None:
    subscription = notification.subscription
    if subscription is None:
        raise ValueError("The webhook subscription was deleted; nothing to sign with.")
    body = json.dumps(notification.payload, separators=(",", ":"), sort_keys=True).encode()
    if not notification.target.startswith(("http://", "https://")):
        raise ValueError(f"Webhook URLs must be http(s), not {notification.target!r}.")
    request = urllib.request.Request(
        notification.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ITSM-Webhooks/1",
            "X-ITSM-Event": notification.event,
            # The idempotency key: the same on every attempt at this row, and one row per
            # (event, URL), so a receiver that drops repeats sees each event once.
            "X-ITSM-Delivery": str(notification.event_id),
            "X-ITSM-Signature": webhook_signature(secret=subscription.secret, body=body),
        },
    )
    # urlopen raises HTTPError (an OSError) for any non-2xx answer.
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read(1024)
