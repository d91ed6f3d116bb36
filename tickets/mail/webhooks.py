"""Inbound mail from providers that POST it (django-anymail's inbound webhooks).

Anymail's views check the provider's HTTP basic auth (ANYMAIL["WEBHOOK_SECRET"], from
ITSM_MAIL_WEBHOOK_SECRET), parse the provider's payload into an `AnymailInboundMessage`
and send the `inbound` signal; the receiver here hands the message to the same processing
as IMAP. It runs inside the request: the provider gets 200 only once the ticket or comment
is committed, and retries on an error, so nothing is lost; its retries find the ledger row.
"""

import hashlib
import json
from typing import Any

from anymail.inbound import AnymailInboundMessage
from anymail.webhooks.brevo import BrevoInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

from tickets.mail.services import mail_process_posted

# The providers whose inbound payloads anymail parses and that authenticate with basic auth
# (Mailgun also signs its webhooks: ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]).
PROVIDERS = {
    "postmark": PostmarkInboundWebhookView,
    "sendgrid": SendGridInboundWebhookView,
    "mailgun": MailgunInboundWebhookView,
    "mailjet": MailjetInboundWebhookView,
    "brevo": BrevoInboundWebhookView,
    "sparkpost": SparkPostInboundWebhookView,
}
VIEWS = {name: csrf_exempt(view.as_view()) for name, view in PROVIDERS.items()}


@csrf_exempt
def inbound_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """POST /mail/inbound/<provider>/ — answered by anymail's view for that provider; 404
    while no webhook secret is configured (anymail would take anyone's POST)."""
    view = VIEWS.get(provider)
    if view is None or not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404("No inbound mail webhook here.")
    try:
        return view(request)
    except json.JSONDecodeError as exc:
        # Anymail reads the body as JSON without catching this: a 400, not a server error.
        return HttpResponseBadRequest(
            f"The body is not the provider's JSON: {exc}", content_type="text/plain"
        )


def stable_key(message: AnymailInboundMessage) -> bytes:
    """What identifies a posted message across a provider's retries: its own headers, texts
    and files (not its bytes, whose MIME boundaries are new each time they are built)."""
    digest = hashlib.sha256()
    for header in ("Message-ID", "From", "To", "Cc", "Date", "Subject", "In-Reply-To"):
        digest.update(str(message.get(header, "")).encode() + b"\0")
    digest.update((message.text or "").encode() + b"\0" + (message.html or "").encode())
    for attachment in message.attachments:
        digest.update(hashlib.sha256(attachment.get_content_bytes()).digest())
    return digest.hexdigest().encode()


def inbound_mail_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    message: AnymailInboundMessage = event.message
    recipients = [message.envelope_recipient or ""] + [
        address.addr_spec for address in (*message.to, *message.cc)
    ]
    mail_process_posted(
        raw=message.as_bytes(), recipients=recipients, stable_key=stable_key(message)
    )
