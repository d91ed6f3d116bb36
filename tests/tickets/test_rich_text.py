"""Rich text on tickets: Markdown rendered by the one renderer on desk and portal pages, the
editor's preview, images pasted into a reply (pending attachments, claimed when sent), and
e-mails carrying the reply as HTML beside the plain text."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.notifications.models import Notification
from itsm.notifications.services import notification_deliver
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.exceptions import AttachmentRefused
from tickets.models import Attachment

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def png(name: str = "pasted.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def ticket(requester, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_ticket(requester=requester, description="It **fails** at https://vpn.example.com.")


# --- Pages ---


def test_desk_and_portal_render_markdown_replies_and_descriptions(
    ticket, agent, requester, client_as
):
    services.comment_add(
        ticket=ticket,
        author=agent,
        body="Please **restart** <script>alert(1)</script>",
        is_public=True,
    )
    for user, url in [
        (agent, reverse("tickets:desk-ticket-detail", args=[ticket.number])),
        (requester, reverse("tickets:portal-ticket-detail", args=[ticket.number])),
    ]:
        html = client_as(user).get(url).content.decode()
        assert "Please <strong>restart</strong>" in html
        assert "<script>alert(1)</script>" not in html
        assert "It <strong>fails</strong> at" in html
        assert 'href="https://vpn.example.com"' in html
        assert "data-md-editor" in html


def test_preview_renders_with_the_one_renderer(agent, client_as):
    response = client_as(agent).post(
        reverse("markdown-preview"), {"text": "**bold** [x](javascript:alert(1))"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "javascript:" not in html


def test_preview_of_nothing_says_so(requester, client_as):
    response = client_as(requester).post(reverse("markdown-preview"), {"text": "  "})
    assert "Nothing to preview yet." in response.content.decode()


def test_preview_needs_a_signed_in_person(client):
    response = client.post(reverse("markdown-preview"), {"text": "x"})
    assert response.status_code == 302


# --- Pasted images ---


def test_a_pasted_image_is_pending_until_the_reply_that_shows_it_is_sent(ticket, agent):
    image = services.attachment_upload_inline(ticket=ticket, uploader=agent, upload=png())
    assert image.is_pending_inline and image.comment is None
    assert image.content_type == "image/png"

    comment = services.comment_add(
        ticket=ticket,
        author=agent,
        body=f"Here: ![pasted.png](/attachments/{image.pk}/)",
        is_public=True,
    )
    image.refresh_from_db()
    assert image.comment == comment
    assert not image.is_pending_inline


def test_pending_images_are_not_listed_with_the_report(ticket, agent):
    services.attachment_upload_inline(ticket=ticket, uploader=agent, upload=png())
    from tickets.selectors import attachment_list_for_report

    assert attachment_list_for_report(ticket=ticket, user=agent) == []


def test_svg_is_refused_as_a_pasted_image(ticket, agent):
    svg = SimpleUploadedFile("x.svg", b'<svg onload="alert(1)"/>', content_type="image/svg+xml")
    with pytest.raises(AttachmentRefused):
        services.attachment_upload_inline(ticket=ticket, uploader=agent, upload=svg)


def test_a_pdf_is_not_taken_as_a_pasted_image(ticket, agent):
    pdf = SimpleUploadedFile(
        "a.pdf",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    )
    with pytest.raises(AttachmentRefused, match="not a PNG"):
        services.attachment_upload_inline(ticket=ticket, uploader=agent, upload=pdf)


def test_upload_endpoint_answers_markdown_and_the_image_downloads_as_attachment(
    ticket, requester, client_as
):
    client = client_as(requester)
    response = client.post(
        reverse("tickets:ticket-image-upload", args=[ticket.number]), {"image": png()}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["markdown"] == f"![pasted.png](/attachments/{data['id']}/)"
    download = client.get(data["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_another_requesters_ticket_is_404_for_the_upload(ticket, other_requester, client_as):
    response = client_as(other_requester).post(
        reverse("tickets:ticket-image-upload", args=[ticket.number]), {"image": png()}
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_a_pending_image_opens_only_for_its_uploader_and_the_desk(
    ticket, requester, agent, other_requester, client_as
):
    image = services.attachment_upload_inline(ticket=ticket, uploader=agent, upload=png())
    url = reverse("tickets:attachment-download", args=[image.pk])
    assert client_as(agent).get(url).status_code == 200
    # An agent's work-note image, not sent yet: the requester may not open it.
    assert client_as(requester).get(url).status_code == 404
    assert client_as(other_requester).get(url).status_code == 404


def test_a_work_note_image_never_reaches_the_requester(ticket, requester, agent, client_as):
    image = services.attachment_upload_inline(ticket=ticket, uploader=agent, upload=png())
    services.comment_add(
        ticket=ticket, author=agent, body=f"![a](/attachments/{image.pk}/)", is_public=False
    )
    url = reverse("tickets:attachment-download", args=[image.pk])
    assert client_as(requester).get(url).status_code == 404


def test_refused_upload_answers_the_reason(ticket, agent, client_as):
    fake = SimpleUploadedFile("shot.png", b"not an image at all", content_type="image/png")
    response = client_as(agent).post(
        reverse("tickets:ticket-image-upload", args=[ticket.number]), {"image": fake}
    )
    assert response.status_code == 400
    assert "shot.png" in response.json()["error"]


# --- E-mail ---


def test_reply_email_has_plain_text_and_rendered_html_parts(ticket, agent, mailoutbox):
    services.comment_add(
        ticket=ticket,
        author=agent,
        body="Please **restart** the client.\n\n- quit\n- start\n\n<script>alert(1)</script>",
        is_public=True,
    )
    row = Notification.objects.get(event="ticket_replied", channel="email")
    notification_deliver(notification_id=row.pk)
    (message,) = mailoutbox
    assert "Please **restart** the client." in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Please <strong>restart</strong> the client." in html
    assert "<li>quit</li>" in html
    assert "<script>" not in html
    parts = [part.get_content_type() for part in message.message().walk()]
    assert "text/plain" in parts and "text/html" in parts
