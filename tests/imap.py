"""A throw-away Dovecot IMAP server for the e-mail channel's tests (STACK-NOTES §9).

Its own configuration, state, log, certificate and Maildir live under one temporary
directory; it listens on spare loopback ports (STARTTLS on one, IMAPS on another) with a
self-signed certificate for 127.0.0.1, so the tests log in over real TLS. Never the system
service or /etc/dovecot. Messages are delivered by IMAP APPEND, as a mail server would.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

from tests.faults import self_signed_certificate
from tests.faults import spare_port as free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "desk-secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{root}/mail/%u
imap_max_line_length = 64k
default_internal_user = {user}
default_login_user = {user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


class PrivateDovecot:
    """Dovecot on spare loopback ports; `users` each get the same password."""

    def __init__(self, users: tuple[str, ...] = ("desk", "help")) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="itsm-imap-"))
        self.port = free_port()
        self.ssl_port = free_port()
        self.users = users
        self.cert = self_signed_certificate(self.root)
        nobody = pwd.getpwnam("nobody")
        self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
        (self.root / "mail").mkdir()
        (self.root / "users").write_text(
            "".join(
                f"{user}:{{PLAIN}}{PASSWORD}:{self.uid}:{self.gid}::{self.root}/mail/{user}\n"
                for user in users
            )
        )
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                uid=self.uid,
                gid=self.gid,
                user=pwd.getpwuid(self.uid).pw_name,
                port=self.port,
                ssl_port=self.ssl_port,
            )
        )
        os.chown(self.root / "mail", self.uid, self.gid)
        self.root.chmod(0o755)

    def start(self) -> None:
        # No pipes: the daemon keeps inherited descriptors open, and run() would wait on them.
        subprocess.run(
            [DOVECOT, "-c", str(self.root / "dovecot.conf")],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not start: {self.log()}")

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().strip())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def client(self, user: str = "desk") -> IMAPClient:
        """A logged-in client over STARTTLS, trusting only the server's own certificate."""
        context = ssl.create_default_context(cafile=str(self.cert))
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.starttls(ssl_context=context)
        client.login(user, PASSWORD)
        return client

    def append(self, raw: bytes, *, folder: str, user: str = "desk") -> None:
        """Deliver a message into `folder` (created if missing) by IMAP APPEND."""
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw)
        finally:
            client.logout()

    def create_folder(self, folder: str, *, user: str = "desk") -> None:
        client = self.client(user)
        try:
            client.create_folder(folder)
        finally:
            client.logout()

    def count(self, folder: str, *, criteria: str = "ALL", user: str = "desk") -> int:
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                return 0
            client.select_folder(folder, readonly=True)
            return len(client.search([criteria]))
        finally:
            client.logout()
