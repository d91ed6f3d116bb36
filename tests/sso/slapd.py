"""A throw-away OpenLDAP directory for the single sign-on tests (issue #20).

Its configuration (slapd.conf with the core, cosine, inetorgperson and nis schemas from
/etc/ldap/schema), an mdb database, a self-signed certificate for StartTLS and the log all
live under one temporary directory; slapd listens on a spare loopback port and is started,
stopped and started again by the tests (the "directory down" case). Never the system service
or /etc/ldap/slapd.d. Entries are loaded with ldapadd, as an administrator would.
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.faults import ForegroundServer, self_signed_certificate, spare_port

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
LDAPADD = shutil.which("ldapadd") or "/usr/bin/ldapadd"
SUFFIX = "dc=example,dc=com"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {root}/slapd.pid
argsfile {root}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile {root}/cert.pem
TLSCertificateKeyFile {root}/key.pem
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {root}/data
access to attrs=userPassword by self read by anonymous auth by * none
access to * by * read
"""


def available() -> bool:
    return Path(SLAPD).exists() and Path(LDAPADD).exists()


class PrivateDirectory(ForegroundServer):
    """slapd on a spare loopback port with `ou=people` and `ou=groups` under dc=example,dc=com."""

    LOG = "slapd.log"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="itsm-ldap-"))
        self.port = spare_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.cert = self_signed_certificate(self.root)
        self.process: subprocess.Popen | None = None
        (self.root / "data").mkdir()
        (self.root / "slapd.conf").write_text(
            CONFIG.format(root=self.root, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD)
        )

    def start(self) -> None:
        log = (self.root / "slapd.log").open("a")
        # -d 0: stay in the foreground (no daemon to chase by pid file), log nothing extra.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(self.root / "slapd.conf"), "-h", self.uri + "/", "-d", "0"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"slapd did not start: {self.log()}")

    def add(self, ldif: str) -> None:
        """Load entries as the directory's administrator (ldapadd over the loopback port)."""
        subprocess.run(
            [LDAPADD, "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=ldif.encode(),
            check=True,
            capture_output=True,
        )

    def add_base(self) -> None:
        self.add(
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\n"
            f"dc: example\n\n"
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n"
        )

    def add_person(self, uid: str, *, name: str, email: str, password: str) -> str:
        dn = f"uid={uid},{PEOPLE}"
        surname = name.split()[-1]
        self.add(
            f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {surname}\n"
            f"mail: {email}\nuserPassword: {password}\n"
        )
        return dn

    def add_group(self, name: str, *members: str) -> str:
        dn = f"cn={name},{GROUPS}"
        # groupOfNames needs a member: the administrator stands in, so the last person can go.
        lines = "".join(f"member: {member}\n" for member in (ADMIN_DN, *members))
        self.add(f"dn: {dn}\nobjectClass: groupOfNames\ncn: {name}\n{lines}")
        return dn

    def remove_member(self, group: str, member: str) -> None:
        subprocess.run(
            [
                shutil.which("ldapmodify") or "/usr/bin/ldapmodify",
                "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD,
            ],
            input=(
                f"dn: cn={group},{GROUPS}\nchangetype: modify\ndelete: member\nmember: {member}\n"
            ).encode(),
            check=True,
            capture_output=True,
        )  # fmt: skip
