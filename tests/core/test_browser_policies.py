"""Every answer carries the strict Content-Security-Policy, Permissions-Policy and
Referrer-Policy (issue 20); the browser test tests/e2e/test_csp.py shows pages keep to it."""

import pytest

pytestmark = pytest.mark.django_db

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def test_a_page_sends_the_strict_policy_and_no_unsafe_source(client_as, agent):
    response = client_as(agent).get("/desk/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT_CSP
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_api_docs_page_gets_a_nonce_for_its_start_up_script(client_as, admin_user):
    response = client_as(admin_user).get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "<style" not in response.content.decode()
    assert "unsafe" not in policy


def test_sign_in_page_and_static_error_pages_carry_no_inline_style(client):
    response = client.get("/accounts/login/")
    assert response["Content-Security-Policy"] == STRICT_CSP
    from django.conf import settings

    for name in ("500.html", "503.html"):
        page = (settings.BASE_DIR / "templates" / "errors" / name).read_text()
        assert "<style" not in page and "style=" not in page and "<script" not in page


def test_permissions_policy_turns_off_devices_and_keeps_passkeys(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    features = dict(part.split("=", 1) for part in policy.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"


def test_referrer_policy_keeps_ticket_urls_inside(client):
    assert client.get("/accounts/login/")["Referrer-Policy"] == "same-origin"


def test_an_extra_form_action_origin_for_single_sign_on_comes_from_the_environment():
    from tests.core.test_settings import settings_value

    value = settings_value(
        "[str(source) for source in settings.SECURE_CSP['form-action']]",
        {"ITSM_CSP_FORM_ACTION": "https://login.example.com"},
    )
    assert value == "[\"'self'\", 'https://login.example.com']"


def test_single_sign_on_providers_are_allowed_form_targets(client, settings):
    """Chromium checks form-action on the redirect to the provider after the sign-in POST."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "entra",
                    "settings": {"server_url": "https://login.example.com/t/v2.0"},
                },
                {"provider_id": "kc", "settings": {"server_url": "http://127.0.0.1:8089/realms/x"}},
            ]
        }
    }
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self' https://login.example.com http://127.0.0.1:8089" in policy
    assert policy.replace(" https://login.example.com http://127.0.0.1:8089", "") == STRICT_CSP
