"""`make run` serves the product as users get it: production error pages, no debug page,
plain http on a developer's machine, a favicon, and mail kept for people to read."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives

from itsm.notifications.mail import DatabaseEmailBackend
from itsm.notifications.models import SentMail

ROOT = Path(__file__).resolve().parents[2]


def make_run_env(tmp_path: Path) -> dict[str, str]:
    """The variables the Makefile's `run` target exports, as `make run` sets them."""
    secret = tmp_path / "secret_key"
    secret.write_text("local-" + "q8Zr2Lm5Xv9Tb3Nc7Hw1Jk4Pd6Fs0Gy" * 2)
    values = {"$(CURDIR)/$(RUN_SECRET)": str(secret), "$(PORT)": "8731"}
    env = {}
    for name, value in re.findall(
        r"^run: export (\w+) \??:?= (.*)$", (ROOT / "Makefile").read_text(), re.M
    ):
        for placeholder, real in values.items():
            value = value.replace(placeholder, real)
        env[name] = value
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "EMAIL_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "itsm.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_run_turns_debug_off_but_stays_on_plain_http(tmp_path):
    env = make_run_env(tmp_path)
    assert env["DEBUG"] == "false"
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.MAILERS['default']['BACKEND'])"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "False",
        "False",
        "0",
        "itsm.notifications.mail.DatabaseEmailBackend",
    ]
    recipe = (ROOT / "Makefile").read_text().split("\nrun: install")[1].split("\n\n")[0]
    assert "collectstatic" in recipe  # whitenoise serves the collected, hashed files


def test_a_404_with_the_run_settings_is_the_products_page_not_the_debug_page(tmp_path):
    # The manifest storage needs collectstatic (make run does it); the page is what matters.
    code = """
import django, itsm.settings as s
s.STORAGES = {**s.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
icon = client.get("/favicon.ico")
print(missing.status_code, icon.status_code, icon["Content-Type"])
print(missing.content.decode())
"""
    result = run_python(code, make_run_env(tmp_path))
    assert result.returncode == 0, result.stderr
    first, page = result.stdout.split("\n", 1)
    assert first.split() == ["404", "200", "image/svg+xml"]
    assert "We could not find that page" in page
    assert "URLconf" not in page and "DEBUG = True" not in page


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


# --- Mail kept for people to read -------------------------------------------------------------


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="INC0000042 was assigned to you",
        body="Open the ticket: http://127.0.0.1:8000/desk/tickets/INC0000042/",
        from_email="Service Desk <servicedesk@example.com>",
        to=["alice@example.com"],
    )
    message.attach_alternative(
        "<html><body><h1>INC0000042</h1><p>Assigned</p></body></html>", "text/html"
    )
    return message


@pytest.mark.django_db
def test_the_local_mail_backend_keeps_each_message_and_logs_one_line(caplog):
    with caplog.at_level(logging.INFO, logger="itsm.mail"):
        assert DatabaseEmailBackend().send_messages([_message()]) == 1
    mail = SentMail.objects.get()
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "INC0000042 was assigned to you"
    assert "<h1>INC0000042</h1>" in mail.body_html
    assert mail.body_text.startswith("Open the ticket")
    (record,) = [r for r in caplog.records if r.name == "itsm.mail"]
    line = record.getMessage()
    assert "\n" not in line and "<html>" not in line
    assert line.startswith("Mail to alice@example.com: INC0000042 was assigned to you")
    assert f"/admin/notifications/sentmail/{mail.pk}/" in line


@pytest.mark.django_db
def test_administrators_read_sent_mail_in_the_admin(client_as, admin_user, agent):
    DatabaseEmailBackend().send_messages([_message()])
    mail = SentMail.objects.get()
    listing = client_as(admin_user).get("/admin/notifications/sentmail/")
    assert listing.status_code == 200
    assert b"INC0000042 was assigned to you" in listing.content
    page = client_as(admin_user).get(f"/admin/notifications/sentmail/{mail.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Open the ticket" in html
    assert '<iframe sandbox srcdoc="&lt;html&gt;' in html
    assert client_as(agent).get("/admin/notifications/sentmail/").status_code == 302
