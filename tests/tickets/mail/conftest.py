"""The e-mail channel's fixtures: one real Dovecot for the session, one folder per test."""

import uuid
from pathlib import Path

import pytest

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.imap import PASSWORD, PrivateDovecot
from tickets.mail.choices import MailSecurity, ProcessedAction
from tickets.mail.models import Mailbox

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "mail"


@pytest.fixture(scope="session")
def dovecot():
    server = PrivateDovecot()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def mail_settings(settings, dovecot):
    # The test server's self-signed certificate is the only CA trusted: real TLS, verified.
    settings.ITSM_MAIL_CA_FILE = str(dovecot.cert)
    settings.DEFAULT_FROM_EMAIL = "Service Desk <servicedesk@example.com>"
    return settings


@pytest.fixture
def mailbox(db, dovecot, mail_settings):
    """A mailbox reading a folder of its own (so tests never see each other's mail)."""
    folder = f"in-{uuid.uuid4().hex[:10]}"
    dovecot.create_folder(folder)
    return Mailbox.objects.create(
        name=f"Help {folder}",
        address="help@example.com",
        host="127.0.0.1",
        port=dovecot.port,
        security=MailSecurity.STARTTLS,
        username="desk",
        password=PASSWORD,
        folder=folder,
        processed_action=ProcessedAction.MOVE,
        processed_folder=f"{folder}-done",
    )


@pytest.fixture
def watcher(db):
    return UserFactory(
        email="walter@example.com", display_name="Walter Watcher", roles=[Role.REQUESTER]
    )


def crlf(raw: bytes) -> bytes:
    """Messages on the wire end their lines with CRLF; the corpus files are written with LF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def corpus_message(name: str, **values: str) -> bytes:
    raw = (CORPUS / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{{" + key.encode() + b"}}", value.encode())
    return crlf(raw)
