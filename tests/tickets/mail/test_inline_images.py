"""Inline images (cid:) of a message: kept as attachments of the ticket or the reply, marked
where they stood in the text, and shown on the ticket page as images of the download URL,
which still serves them as attachments (never inline, never sniffed, sandboxed)."""

import base64
from email import policy
from email.message import EmailMessage

import pytest
from django.urls import reverse

from tests.tickets.mail.conftest import CORPUS, corpus_message, crlf
from tickets.mail.choices import InboundOutcome
from tickets.mail.parsing import html_to_text
from tickets.mail.services import mail_process, mailbox_poll
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

# The corpus' inline image (a 1×1 PNG), reused for a reply.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACklEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg=="
)


def reply_with_screenshot(number: str) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = "Rita Requester <rita@example.com>"
    message["To"] = "help@example.com"
    message["Subject"] = f"Re: [{number}] Screenshot of the error"
    message["Message-ID"] = "<reply-shot@mail.example.org>"
    message.set_content('<p>Now it shows this:</p><img src="cid:shot2@example.org">', "html")
    message.add_related(PNG, maintype="image", subtype="png", cid="<shot2@example.org>")
    return crlf(message.as_bytes())


def test_the_corpus_inline_image_is_kept_marked_and_shown(dovecot, mailbox, requester, client):
    assert b"cid:shot1@example.org" in (CORPUS / "16-inline-image-cid.eml").read_bytes()
    dovecot.append(corpus_message("16-inline-image-cid.eml"), folder=mailbox.folder)
    mailbox_poll(mailbox_id=mailbox.pk)

    ticket = Ticket.objects.get(channel="email")
    assert "The error looks like this:" in ticket.description
    assert "[image: attachment-1.png]" in ticket.description
    image = Attachment.objects.get(ticket=ticket, comment=None, is_internal=False)
    assert (image.original_name, image.content_type) == ("attachment-1.png", "image/png")
    assert image.is_previewable_image

    record = mail_process(mailbox=mailbox, raw=reply_with_screenshot(ticket.number))
    assert record.outcome == InboundOutcome.COMMENT
    assert "[image: attachment-1.png]" in record.comment.body
    reply_image = Attachment.objects.get(comment=record.comment, is_internal=False)
    assert reply_image.content_type == "image/png"

    # The requester's portal page and the desk page both show them as images.
    url = reverse("tickets:attachment-download", args=[image.pk])
    reply_url = reverse("tickets:attachment-download", args=[reply_image.pk])
    client.force_login(requester)
    portal = client.get(reverse("tickets:portal-ticket-detail", args=[ticket.number]))
    html = portal.content.decode()
    assert f'<img src="{url}"' in html and f'<img src="{reply_url}"' in html
    # …served as a download of inert bytes, whatever the page does with them.
    download = client.get(url)
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PNG


def test_only_raster_images_are_shown_and_html_images_stay_text():
    text = html_to_text(
        '<p>a</p><img src="cid:x@y"><img src="https://tracker.example.com/p.gif" '
        'onerror="alert(1)"><script>alert(2)</script>',
        {"x@y": "shot.png"},
    )
    assert "[image: shot.png]" in text
    assert "tracker.example.com" not in text and "alert" not in text
    for content_type, shown in (
        ("image/png", True),
        ("image/jpeg", True),
        ("image/svg+xml", False),
        ("text/html", False),
        ("application/octet-stream", False),
    ):
        assert Attachment(content_type=content_type).is_previewable_image is shown
