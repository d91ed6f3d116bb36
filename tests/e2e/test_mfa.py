"""A staff member whom MFA is required for: sent to enrol at sign-in, sets up an authenticator
app with a code computed from the secret on the page, then signs in with a recovery code;
and a passkey registered and used through Chromium's virtual authenticator (CDP WebAuthn)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from playwright.sync_api import expect

from itsm.audit.models import AuditEvent
from tests.accounts.mfa import totp_code
from tests.e2e.test_sign_in import sign_in
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def confirm_password(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()


def test_staff_must_enrol_an_authenticator_app_then_sign_in_with_a_recovery_code(
    live_server, page, settings, agent
):
    settings.ITSM_MFA_REQUIRED_FOR = "staff"
    sign_in(page, live_server.url, agent.email)
    # Sent to enrol before the desk.
    expect(page).to_have_url(live_server.url + "/accounts/2fa/")
    expect(page.get_by_role("status")).to_contain_text("needs two-factor authentication")
    page.goto(live_server.url + "/desk/")
    expect(page).to_have_url(live_server.url + "/accounts/2fa/")

    page.get_by_role("button", name="Set up an authenticator app").click()
    confirm_password(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".form-error")).to_contain_text("Incorrect code")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery Codes")

    page.goto(live_server.url + "/desk/")
    expect(page).to_have_url(live_server.url + "/desk/")
    sign_out(page)

    code = RecoveryCodes(
        Authenticator.objects.get(user=agent, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    sign_in(page, live_server.url, agent.email)
    expect(page).to_have_url(live_server.url + "/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill("111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-error")).to_contain_text("Incorrect code")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/desk/")

    page.goto(live_server.url + "/accounts/security/")
    events = page.locator("table.security-events")
    expect(events).to_contain_text("Added a second factor")
    expect(events).to_contain_text("Second factor failed")
    assert AuditEvent.objects.filter(record_id=agent.pk, action="mfa_added").exists()


def test_a_passkey_is_registered_and_signs_in_with_the_virtual_authenticator(
    live_server, page, settings, requester
):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, live_server.url, requester.email)
    expect(page).to_have_url(live_server.url + "/portal/")
    page.get_by_role("link", name="Security").click()
    page.get_by_role("link", name="Manage two-factor authentication").click()
    page.get_by_role("button", name="Add a passkey").click()
    confirm_password(page)
    page.get_by_label("Name").fill("Laptop")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("added")
    assert Authenticator.objects.filter(user=requester, type="webauthn").count() == 1
    stored = cdp.send("WebAuthn.getCredentials", authenticator)
    assert len(stored["credentials"]) == 1  # a resident key: usable without typing an e-mail

    sign_out(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page).to_have_url(live_server.url + "/portal/")

    # With the password, the passkey is the second step.
    sign_out(page)
    sign_in(page, live_server.url, requester.email)
    expect(page).to_have_url(live_server.url + "/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page).to_have_url(live_server.url + "/portal/")
