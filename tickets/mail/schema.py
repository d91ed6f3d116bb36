"""The inbound mail webhooks in the OpenAPI schema.

They are django-anymail's views (plain Django, not DRF), which drf-spectacular cannot read;
this postprocessing hook describes them, so integrators find them with the rest of the API.
"""

from typing import Any

from tickets.mail.webhooks import PROVIDERS

PATH = "/mail/inbound/{provider}/"


def add_inbound_webhooks(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["mailWebhookBasicAuth"] = {
        "type": "http",
        "scheme": "basic",
        "description": "The user:password of ITSM_MAIL_WEBHOOK_SECRET, given to the provider "
        "as part of the webhook URL (https://user:password@host/mail/inbound/postmark/).",
    }
    text = {"text/plain": {"schema": {"type": "string"}}}
    result.setdefault("paths", {})[PATH] = {
        "post": {
            "operationId": "mail_inbound_webhook",
            "tags": ["mail"],
            "summary": "Inbound e-mail from a provider (django-anymail inbound webhook)",
            "description": "The provider POSTs each message it received for the desk's "
            "address, in its own inbound format (Postmark JSON, SendGrid or Mailgun form "
            "fields, …), parsed by django-anymail. The message is processed like mail read "
            "from an IMAP mailbox: the same once-only ledger, threading onto its ticket, "
            "loop and bulk filters, rate limit and acknowledgement; it lands in the mailbox "
            "whose address it was sent to. 200 only once the ticket or comment is saved; a "
            "retried delivery of the same message writes nothing more. 404 while no webhook "
            "secret is configured.",
            "parameters": [
                {
                    "name": "provider",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": sorted(PROVIDERS)},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "multipart/form-data": {"schema": {"type": "object"}},
                    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                },
            },
            "security": [{"mailWebhookBasicAuth": []}],
            "responses": {
                "200": {"description": "Taken (or already taken before).", "content": text},
                "400": {
                    "description": "Missing or wrong basic auth, or not the provider's "
                    "inbound payload.",
                    "content": text,
                },
                "404": {
                    "description": "Unknown provider, or no webhook secret configured.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            },
        }
    }
    return result
