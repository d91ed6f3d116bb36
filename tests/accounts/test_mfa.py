"""MFA (allauth.mfa): TOTP enrolment and sign-in with a code, recovery codes, passkey
registration options, MFA required for staff, the administrator's reset; all audited."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from itsm.audit.models import AuditEvent
from tests.accounts.mfa import totp_code
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def password_step(client: Client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": TEST_PASSWORD})


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before second factors change (ASVS 2.x)."""
    response = client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    assert response.status_code == 302


def actions_of(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(record_id=user.pk, record_type__model="user")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_person_enrols_an_authenticator_app_with_a_code_from_it(
    client, agent, django_capture_on_commit_callbacks
):
    assert password_step(client, agent.email).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown for typing into the app

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert Authenticator.objects.filter(user=agent).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=agent).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert "mfa_added" in actions_of(agent)


def test_sign_in_asks_for_the_code_after_the_password(client, agent):
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    response = password_step(client, agent.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in on the password alone

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert actions_of(agent)[-2:] == ["mfa_failed", "signed_in"]


def test_a_recovery_code_signs_in_once(client, agent):
    TOTP.activate(agent, generate_totp_secret())
    code = RecoveryCodes.activate(agent).get_unused_codes()[0]
    password_step(client, agent.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)

    again = Client()
    password_step(again, agent.email)
    assert again.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_passkey_registration_offers_options_for_this_site_and_keeps_the_challenge(client, agent):
    password_step(client, agent.email)
    reauthenticate(client)
    page = client.get("/accounts/2fa/webauthn/add/")
    assert page.status_code == 200
    options = page.context["js_data"]["creation_options"]["publicKey"]
    assert options["rp"]["id"] == "testserver"
    assert options["user"]["name"] == agent.email
    assert options["challenge"]
    state = client.session["mfa.webauthn.state"]
    assert state["challenge"] == options["challenge"]
    # The page hands the options to allauth's script as JSON data, not as inline code.
    html = page.content.decode()
    assert 'id="js_data" type="application/json"' in html
    assert json.loads(html.split('id="js_data" type="application/json">')[1].split("</script>")[0])


@pytest.mark.parametrize(
    ("required_for", "persona", "sent_to_enrol"),
    [
        ("staff", "agent", True),
        ("staff", "requester", False),
        ("everyone", "requester", True),
        ("none", "agent", False),
    ],
)
def test_mfa_required_for_sends_people_without_a_second_factor_to_enrol(
    client, settings, request, required_for, persona, sent_to_enrol
):
    settings.ITSM_MFA_REQUIRED_FOR = required_for
    user = request.getfixturevalue(persona)
    password_step(client, user.email)
    landing = "/desk/" if persona == "agent" else "/portal/"
    response = client.get(landing)
    if sent_to_enrol:
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/"
        api = client.get("/api/v1/incidents/")
        assert api.status_code == 403
        assert "two-factor" in api.json()["detail"]
        # The enrolment itself, the security page and signing out stay open.
        reauthenticate(client)
        assert client.get("/accounts/2fa/totp/activate/").status_code == 200
        assert client.get("/accounts/security/").status_code == 200
    else:
        assert response.status_code == 200


def test_htmx_requests_of_someone_who_must_enrol_never_get_the_enrolment_page(
    client, settings, agent
):
    """The enrolment page is a desk page with the bell, which loads itself with htmx: a
    redirect would swap the whole enrolment page into the header."""
    settings.ITSM_MFA_REQUIRED_FOR = "staff"
    password_step(client, agent.email)
    on_enrolment = client.get(
        "/notifications/bell/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/accounts/2fa/"},
    )
    assert on_enrolment.status_code == 204
    assert "HX-Redirect" not in on_enrolment.headers
    from_a_stale_tab = client.get(
        "/notifications/bell/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/desk/tickets/"},
    )
    assert from_a_stale_tab.status_code == 204
    assert from_a_stale_tab.headers["HX-Redirect"] == "/accounts/2fa/"


def test_staff_with_a_second_factor_reach_the_desk(client, settings, agent):
    settings.ITSM_MFA_REQUIRED_FOR = "staff"
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    password_step(client, agent.email)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/desk/").status_code == 200


def test_an_administrator_resets_a_persons_second_factors_and_it_is_audited(
    client, agent, admin_user
):
    TOTP.activate(agent, generate_totp_secret())
    RecoveryCodes.activate(agent)
    signed_in = Client()
    signed_in.force_login(agent)
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factors", "_selected_action": [agent.pk]},
        follow=True,
    )
    assert "Two-factor authentication reset for 1 person" in response.content.decode()
    assert not Authenticator.objects.filter(user=agent).exists()
    event = AuditEvent.objects.get(record_id=agent.pk, action="mfa_reset")
    assert event.actor == admin_user
    assert "2 second factor(s) removed" in event.message


def test_removing_the_authenticator_app_is_audited(client, agent):
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    password_step(client, agent.email)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=agent, type="totp").exists()
    assert "mfa_removed" in actions_of(agent)


def test_the_admin_sign_in_goes_through_the_product_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_guessing_second_factor_codes_is_stopped_after_five(client, agent):
    TOTP.activate(agent, generate_totp_secret())
    password_step(client, agent.email)
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    refused = client.post("/accounts/2fa/authenticate/", {"code": "000001"})
    assert "Too many failed" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_many_wrong_passwords_never_answer_with_allauths_own_limit(client, settings, agent):
    settings.AXES_FAILURE_LIMIT = 50
    for _ in range(12):
        response = client.post("/accounts/login/", {"login": agent.email, "password": "wrong"})
    assert "do not match an account" in response.content.decode()
