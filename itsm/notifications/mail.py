"""A mail backend that keeps messages in the database for people to read (`dbmail://`).

For local runs (`make run`): each message becomes a SentMail row, listed for
administrators at /admin/notifications/sentmail/, and the log gets one line per message
instead of the console backend's whole MIME dump.
"""

import logging

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from itsm.notifications.models import SentMail

logger = logging.getLogger("itsm.mail")


def _html_of(message) -> str:
    for content, mimetype in getattr(message, "alternatives", None) or ():
        if mimetype == "text/html":
            return str(content)
    return ""


class DatabaseEmailBackend(BaseEmailBackend):
    """Stores instead of sending. Writes through the ORM on purpose: this stands in for the
    SMTP server (the outside world), so it is not a domain write that needs a service."""

    def send_messages(self, email_messages) -> int:
        kept = 0
        for message in email_messages:
            message.message()  # the same header validation SMTP sending does
            mail = SentMail.objects.create(
                from_email=message.from_email or "",
                to=list(message.to),
                cc=list(message.cc),
                subject=message.subject,
                body_text=message.body or "",
                body_html=_html_of(message),
                headers={str(k): str(v) for k, v in (message.extra_headers or {}).items()},
            )
            logger.info(
                "Mail to %s: %s (read it at %s)",
                ", ".join(mail.to),
                mail.subject,
                settings.SITE_URL + reverse("admin:notifications_sentmail_change", args=[mail.pk]),
            )
            kept += 1
        return kept
