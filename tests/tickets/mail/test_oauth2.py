"""OAuth2 (SASL XOAUTH2) sign-in against a real Dovecot whose oauth2 passdb validates the
token at a small local introspection endpoint the test runs (RFC 7662, POST token=…): a
mailbox with a token and no password reads its mail; a revoked token makes it fail."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.faults import spare_port
from tests.imap import PrivateDovecot
from tests.tickets.mail.conftest import corpus_message
from tickets.mail.choices import MailboxState, MailSecurity
from tickets.mail.models import Mailbox
from tickets.mail.services import mailbox_poll
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

GOOD_TOKEN = "ya29.good-token-for-desk"


class Introspection(BaseHTTPRequestHandler):
    seen: list[str] = []
    active: set[str] = {GOOD_TOKEN}

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        token = parse_qs(self.rfile.read(length).decode()).get("token", [""])[0]
        self.seen.append(token)
        body = {"active": True, "username": "desk"} if token in self.active else {"active": False}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def introspection():
    server = ThreadingHTTPServer(("127.0.0.1", spare_port()), Introspection)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def oauth2_dovecot(introspection):
    """The test Dovecot with a second passdb: oauth2 for XOAUTH2/OAUTHBEARER (the password
    passdb stays for the helpers that APPEND the test's mail)."""
    server = PrivateDovecot(users=("desk",))
    (server.root / "oauth2.conf.ext").write_text(
        f"introspection_url = http://127.0.0.1:{introspection.server_port}/introspect\n"
        "introspection_mode = post\nusername_attribute = username\n"
        "active_attribute = active\nactive_value = true\n"
    )
    config = server.root / "dovecot.conf"
    text = config.read_text().replace(
        "auth_mechanisms = plain login", "auth_mechanisms = plain login xoauth2 oauthbearer"
    )
    text = text.replace(
        "passdb {\n  driver = passwd-file\n  args",
        "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
        f"  args = {server.root}/oauth2.conf.ext\n}}\n"
        "passdb {\n  driver = passwd-file\n  mechanisms = plain login\n  args",
    )
    config.write_text(text)
    server.start()
    yield server
    server.remove()


def test_a_mailbox_signs_in_with_an_oauth2_token(oauth2_dovecot, mail_settings, requester):
    mail_settings.ITSM_MAIL_CA_FILE = str(oauth2_dovecot.cert)
    box = Mailbox.objects.create(
        name="OAuth", address="oauth@example.com", host="127.0.0.1", port=oauth2_dovecot.port,
        security=MailSecurity.STARTTLS, username="desk", password="", oauth2_token=GOOD_TOKEN,
        processed_folder="Done",
    )  # fmt: skip
    oauth2_dovecot.append(corpus_message("01-plain-new.eml"), folder="INBOX")
    Introspection.seen.clear()

    result = mailbox_poll(mailbox_id=box.pk)

    assert (result.processed, result.error) == (1, ""), oauth2_dovecot.log()
    assert Introspection.seen == [GOOD_TOKEN]  # Dovecot asked the endpoint: really XOAUTH2
    assert Ticket.objects.filter(channel="email").count() == 1

    # The token is revoked: the mailbox is failing with the server's answer, mail stays.
    Introspection.active.discard(GOOD_TOKEN)
    try:
        oauth2_dovecot.append(corpus_message("03-iso-8859-1.eml"), folder="INBOX")
        failed = mailbox_poll(mailbox_id=box.pk)
    finally:
        Introspection.active.add(GOOD_TOKEN)
    box.refresh_from_db()
    assert box.state == MailboxState.FAILING
    assert "LoginError" in box.last_error or "AUTHENTICATIONFAILED" in box.last_error, failed
    assert oauth2_dovecot.count("INBOX") == 1
    assert Ticket.objects.filter(channel="email").count() == 1
