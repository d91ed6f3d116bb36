"""Inbound mail POSTed by a provider (django-anymail's Postmark inbound webhook), over real
HTTP to the live server: authenticated by the webhook secret, processed like IMAP mail
(ledger, threading, filters), once across the provider's retries, and in the schema."""

import base64
import json
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from tickets.mail.choices import InboundOutcome
from tickets.mail.models import InboundMessage, Mailbox
from tickets.models import Attachment, Comment, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "postmark:s3cret-webhook"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACklEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg=="
)


def postmark(*, subject: str, message_id: str, text: str, headers=(), attachments=()) -> dict:
    """A Postmark inbound payload, as Postmark documents it (parsed fields, no raw MIME)."""
    return {
        "FromName": "Rita Requester",
        "From": "rita@example.com",
        "FromFull": {"Email": "rita@example.com", "Name": "Rita Requester"},
        "To": "Help <help@example.com>",
        "ToFull": [{"Email": "help@example.com", "Name": "Help"}],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": "help@example.com",
        "Subject": subject,
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Thu, 3 Dec 2026 11:00:00 +0000",
        "TextBody": text,
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<rita@example.com>"},
            {"Name": "Message-ID", "Value": message_id},
            *({"Name": n, "Value": v} for n, v in headers),
        ],
        "Attachments": list(attachments),
    }


def post(url: str, payload, *, auth: str | None = SECRET) -> tuple[int, str]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def desk_mailbox(db):
    return Mailbox.objects.create(
        name="Help", address="help@example.com", host="imap.example.com", username="desk",
        password="x",
    )  # fmt: skip


def test_a_posted_message_becomes_a_ticket_once_and_its_reply_a_comment(
    live_server, settings, requester, desk_mailbox
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.DEFAULT_FROM_EMAIL = "Service Desk <servicedesk@example.com>"
    url = live_server.url + reverse("mail:inbound-webhook", args=["postmark"])
    new = postmark(
        subject="Laptop will not boot",
        message_id="<boot-1@mail.example.org>",
        text="It shows a black screen.",
        attachments=[
            {"Name": "screen.png", "Content": base64.b64encode(PNG).decode(),
             "ContentType": "image/png", "ContentLength": len(PNG)},
        ],
    )  # fmt: skip

    assert post(url, new)[0] == 200
    assert post(url, new)[0] == 200  # the provider retries: the ledger takes it once

    ticket = Ticket.objects.get(channel="email")
    assert ticket.short_description == "Laptop will not boot"
    assert ticket.requester == requester
    record = InboundMessage.objects.get()
    assert (record.mailbox, record.outcome, record.ticket) == (
        desk_mailbox,
        InboundOutcome.TICKET,
        ticket,
    )
    assert Attachment.objects.filter(ticket=ticket, original_name="screen.png").exists()
    assert Attachment.objects.filter(ticket=ticket, is_internal=True).count() == 1  # raw .eml

    reply = postmark(
        subject="Re: Laptop will not boot",
        message_id="<boot-2@mail.example.org>",
        text="It boots again after a reset.\n\nOn Thu, Rita wrote:\n> It shows a black screen.",
        headers=[("In-Reply-To", "<boot-1@mail.example.org>")],
    )
    assert post(url, reply)[0] == 200
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == "It boots again after a reset."
    assert comment.is_public

    # The same filters as IMAP: an auto-reply is recorded and makes nothing.
    auto = postmark(
        subject="Out of office",
        message_id="<ooo@mail.example.org>",
        text="I am away.",
        headers=[("Auto-Submitted", "auto-replied")],
    )
    assert post(url, auto)[0] == 200
    assert InboundMessage.objects.get(message_id="<ooo@mail.example.org>").outcome == (
        InboundOutcome.IGNORED
    )
    assert Ticket.objects.filter(channel="email").count() == 1


def test_the_webhook_refuses_wrong_auth_and_is_closed_without_a_secret(
    live_server, settings, requester
):
    url = live_server.url + reverse("mail:inbound-webhook", args=["postmark"])
    payload = postmark(subject="Hi", message_id="<hi@mail.example.org>", text="Hello")

    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert post(url, payload)[0] == 404  # anymail alone would take anyone's POST

    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert post(url, payload, auth=None)[0] == 400
    assert post(url, payload, auth="postmark:wrong")[0] == 400
    assert post(live_server.url + "/mail/inbound/nosuch/", payload)[0] == 404
    assert not InboundMessage.objects.exists()
    status, _ = post(url, b"{not json")
    assert status == 400
    assert not Ticket.objects.exists()


def test_the_webhook_is_in_the_openapi_schema(client, agent):
    client.force_login(agent)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/mail/inbound/{provider}/"]["post"]
    assert operation["security"] == [{"mailWebhookBasicAuth": []}]
    assert "postmark" in operation["parameters"][0]["schema"]["enum"]
    assert schema["components"]["securitySchemes"]["mailWebhookBasicAuth"]["scheme"] == "basic"
