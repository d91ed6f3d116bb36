"""Uploads are judged by their bytes, not their names (DESIGN §4: size and type limits)."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.exceptions import AttachmentRefused
from tickets.models import Attachment, Comment

pytestmark = pytest.mark.django_db

# The start of a real Windows program: the DOS header ("MZ") and its stub.
WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + b"\x80"
    b"\x00\x00\x00\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64
)
SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def ticket(requester, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_ticket(requester=requester)


def _attach(ticket, author, name, content):
    return services.comment_add(
        ticket=ticket,
        author=author,
        body="see the file",
        is_public=True,
        files=[SimpleUploadedFile(name, content, content_type="application/pdf")],
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.pdf", WINDOWS_PROGRAM, "is a program"),
        ("notes.txt", WINDOWS_PROGRAM, "is a program"),
        ("report.pdf", _png_1x1(), "its content is a image/png file"),
        ("photo.png", SMALL_PDF, "its content is a application/pdf file"),
        ("scan.pdf", b"just some words, no PDF at all", "not a file of that type"),
        ("export.csv", b"a,b\x00\x01\x02", "not text"),
    ],
)
def test_a_file_whose_bytes_do_not_match_its_name_is_refused(ticket, agent, name, content, message):
    with pytest.raises(AttachmentRefused, match=message):
        _attach(ticket, agent, name, content)
    assert Comment.objects.filter(ticket=ticket).count() == 0
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("invoice.pdf", SMALL_PDF, "application/pdf"),
        ("screenshot.png", _png_1x1(), "image/png"),
        ("vpn.log", b"2026-12-02 08:00 connect failed: timeout\n", "text/plain"),
        ("users.csv", "name,email\nZoë,zoe@example.com\n".encode(), "text/plain"),
    ],
)
def test_real_files_are_stored_with_the_type_read_from_their_bytes(
    ticket, requester, name, content, content_type
):
    comment = _attach(ticket, requester, name, content)
    attachment = comment.attachments.get()
    assert attachment.original_name == name
    # The browser claimed application/pdf for every one; the bytes decide.
    assert attachment.content_type == content_type
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_the_portal_reply_form_names_the_refused_file(client_as, requester, ticket):
    response = client_as(requester).post(
        f"/portal/tickets/{ticket.number}/reply/",
        {"body": "my invoice", "attachments": SimpleUploadedFile("fake.pdf", WINDOWS_PROGRAM)},
    )
    assert response.status_code == 400
    assert "“fake.pdf” is a program" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_the_api_names_the_refused_file(api_as, requester, ticket):
    response = api_as(requester).post(
        f"/api/v1/incidents/{ticket.number}/comments/",
        {"body": "my invoice", "attachments": [SimpleUploadedFile("fake.pdf", WINDOWS_PROGRAM)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "attachments"
    assert "is a program" in response.json()["detail"]
    assert Attachment.objects.count() == 0
