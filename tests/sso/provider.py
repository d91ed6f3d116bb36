"""Starts the tests' OpenID Connect provider (tests/sso/oidc_provider/) as its own process.

Everything it keeps — SQLite database, RSA signing key generated here, log — lives in one
temporary directory; it listens on a spare loopback port under gunicorn. The product talks
to it over real HTTP: discovery, the browser's authorization redirect and login form, the
token exchange with PKCE, the JWKS and the userinfo endpoint. Stopping it makes the
"provider down" case real.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from tests.faults import ROOT, ForegroundServer, spare_port, wait_until

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CLIENT_ID = "service-desk"
CLIENT_SECRET = "service-desk-client-secret"
PROVIDER_PASSWORD = "provider-password-1"


class PrivateOidcProvider(ForegroundServer):
    """django-oauth-toolkit's OpenID Connect provider under gunicorn on a spare port."""

    LOG = "provider.log"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="itsm-oidc-"))
        self.port = spare_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/o"
        self.process: subprocess.Popen | None = None
        subprocess.run(
            ["openssl", "genrsa", "-out", str(self.root / "oidc.key"), "2048"],
            check=True,
            capture_output=True,
        )
        (self.root / "gunicorn.conf.py").write_text("")  # not the product's gunicorn.conf.py
        self._django("-m", "django", "migrate", "--noinput", "-v", "0")

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        env["DJANGO_SETTINGS_MODULE"] = "tests.sso.oidc_provider.settings"
        env["OIDC_PROVIDER_DIR"] = str(self.root)
        return env

    def _django(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self._env(), check=True, capture_output=True
        )

    def register_client(self, redirect_uri: str) -> None:
        spec = {
            "client": {
                "client_id": CLIENT_ID,
                "secret": CLIENT_SECRET,
                "redirect_uri": redirect_uri,
            }
        }
        self._django("-m", "tests.sso.oidc_provider.setup_data", json.dumps(spec))

    def set_user(self, username: str, *, name: str, email: str, groups: list[str]) -> None:
        """Create or update a person at the provider, with exactly these groups."""
        person = {"username": username, "name": name, "email": email, "groups": groups,
                  "password": PROVIDER_PASSWORD}  # fmt: skip
        self._django("-m", "tests.sso.oidc_provider.setup_data", json.dumps({"users": [person]}))

    def start(self) -> None:
        log = (self.root / "provider.log").open("a")
        self.process = subprocess.Popen(
            [
                GUNICORN, "tests.sso.oidc_provider.wsgi:application",
                "-c", str(self.root / "gunicorn.conf.py"),
                "-b", f"127.0.0.1:{self.port}", "-w", "1", "--threads", "4", "--no-control-socket",
            ],
            cwd=ROOT,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        if not wait_until(self._answers, timeout=20):
            raise RuntimeError(f"the OIDC provider did not start: {self.log()}")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited: {self.log()}")
        try:
            with urllib.request.urlopen(
                self.issuer + "/.well-known/openid-configuration", timeout=1
            ):
                return True
        except OSError:
            return False

    def app_config(self, *, provider_id: str = "example", name: str = "Example ID") -> dict:
        """The product's ITSM_OIDC_PROVIDERS entry for this provider."""
        return {
            "id": provider_id,
            "name": name,
            "server_url": self.issuer,
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "groups_claim": "groups",
            "role_map": {
                "desk-agents": "Agent",
                "desk-managers": ["Service desk manager", "Agent"],
                "change-board": "CAB member",
            },
        }
