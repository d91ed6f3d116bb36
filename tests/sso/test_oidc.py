"""OpenID Connect sign-in against a real provider on loopback (issue #20, part B): the
authorization-code flow with PKCE driven over HTTP with a requests session — the product's
button, the provider's login form, the callback, the token exchange and the userinfo call."""

import html as html_module
import re
import socket
import time

import pytest
import requests

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.audit.models import AuditEvent
from itsm.sso.adapter import PROVIDER_FAILED
from itsm.sso.middleware import PROVIDER_UNREACHABLE
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.sso.conftest import configure_oidc
from tests.sso.provider import PROVIDER_PASSWORD, PrivateOidcProvider

pytestmark = pytest.mark.django_db(transaction=True)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return html_module.unescape(match.group(1))


def sso_sign_in(
    base_url: str, username: str, password: str = PROVIDER_PASSWORD, *, start: str = "/"
):
    """What a person does: open a page (signed out: the sign-in page), press "Sign in with
    Example ID", log in at the provider. Returns the session and the last response."""
    session = requests.Session()
    page = session.get(f"{base_url}{start}", timeout=10)
    assert "Sign in with Example ID" in page.text
    button_form = re.search(r'action="(/accounts/oidc/example/login/[^"]*)"', page.text)
    assert button_form, "no form for the provider's button"
    at_provider = session.post(
        base_url + html_module.unescape(button_form.group(1)),
        data={"csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken")},
        timeout=10,
    )
    if "Log in to the provider" not in at_provider.text:
        return session, at_provider  # the product answered without reaching the provider
    done = session.post(
        at_provider.url,
        data={
            "csrfmiddlewaretoken": _hidden(at_provider.text, "csrfmiddlewaretoken"),
            "username": username,
            "password": password,
            "next": _hidden(at_provider.text, "next"),
        },
        timeout=10,
    )
    return session, done


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_first_sign_in_creates_the_account_with_mapped_roles(
    live_server, oidc_provider, oidc_settings
):
    oidc_provider.set_user(
        "olga", name="Olga Oidc", email="Olga@Example.com", groups=["desk-agents", "vpn-users"]
    )

    _, landed = sso_sign_in(live_server.url, "olga")

    assert landed.url == f"{live_server.url}/desk/"
    user = User.objects.get(email="olga@example.com")
    assert user.display_name == "Olga Oidc"
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.AGENT}  # vpn-users is in no map: ignored
    event = AuditEvent.objects.get(record_id=user.pk, action="signed_in_sso")
    assert event.message == "Signed in with Example ID"
    assert event.actor == user


def test_later_sign_ins_update_name_email_and_roles(live_server, oidc_provider, oidc_settings):
    oidc_provider.set_user(
        "pavel",
        name="Pavel Person",
        email="pavel@example.com",
        groups=["desk-managers", "change-board"],
    )
    sso_sign_in(live_server.url, "pavel")
    user = User.objects.get(email="pavel@example.com")
    assert roles_of(user) == {Role.SERVICE_DESK_MANAGER, Role.AGENT, Role.CAB_MEMBER}
    # A role given by hand, which no map names, survives every sign-in.
    user.groups.add(*user.groups.model.objects.filter(name=Role.KNOWLEDGE_EDITOR))

    oidc_provider.set_user(
        "pavel", name="Pavel Renamed", email="pavel.new@example.com", groups=["desk-agents"]
    )
    _, landed = sso_sign_in(live_server.url, "pavel")

    assert landed.url == f"{live_server.url}/desk/"
    user.refresh_from_db()
    assert (user.display_name, user.email) == ("Pavel Renamed", "pavel.new@example.com")
    assert roles_of(user) == {Role.AGENT, Role.KNOWLEDGE_EDITOR}
    last = AuditEvent.objects.filter(record_id=user.pk, action="signed_in_sso").last()
    assert last.changes["roles_removed"]["from"] == [Role.CAB_MEMBER, Role.SERVICE_DESK_MANAGER]
    assert User.objects.filter(display_name__startswith="Pavel").count() == 1


def test_an_existing_local_account_is_signed_in_by_its_email(
    live_server, oidc_provider, oidc_settings
):
    local = UserFactory(email="quinn@example.com", display_name="Quinn Local")
    oidc_provider.set_user("quinn", name="Quinn Q", email="quinn@example.com", groups=[])

    _, landed = sso_sign_in(live_server.url, "quinn")

    assert landed.url == f"{live_server.url}/portal/"  # no mapped group: no staff role
    assert User.objects.filter(email="quinn@example.com").count() == 1
    local.refresh_from_db()
    assert local.display_name == "Quinn Q"
    # allauth's guard against an account pre-registered with someone's address: the provider
    # is now the way in (README "Single sign-on").
    assert not local.has_usable_password()


def test_a_person_with_no_mapped_group_gets_no_role(live_server, oidc_provider, oidc_settings):
    oidc_provider.set_user(
        "rosa", name="Rosa Only", email="rosa@example.com", groups=["unknown-group"]
    )

    _, landed = sso_sign_in(live_server.url, "rosa")

    assert landed.url == f"{live_server.url}/portal/"
    assert roles_of(User.objects.get(email="rosa@example.com")) == set()


def test_provider_down_gives_a_plain_message_on_the_sign_in_page(live_server, settings):
    down = PrivateOidcProvider()  # never started: nothing listens on its port
    try:
        configure_oidc(settings, down)
        _, answer = sso_sign_in(live_server.url, "olga")
    finally:
        down.remove()

    assert answer.status_code == 200
    assert answer.url == f"{live_server.url}/accounts/login/"
    assert PROVIDER_UNREACHABLE.format(provider="Example ID") in answer.text.replace("&#x27;", "'")


def test_a_wrong_client_secret_gives_a_plain_message(live_server, oidc_provider, settings):
    configure_oidc(settings, oidc_provider)
    settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["secret"] = "not-the-secret"
    oidc_provider.set_user(
        "sam", name="Sam Secret", email="sam@example.com", groups=["desk-agents"]
    )

    _, answer = sso_sign_in(live_server.url, "sam")

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert PROVIDER_FAILED.format(provider="Example ID") in answer.text
    assert not User.objects.filter(email="sam@example.com").exists()


def test_local_password_sign_in_still_works_beside_sso(live_server, oidc_settings, agent):
    session = requests.Session()
    page = session.get(f"{live_server.url}/accounts/login/", timeout=10)
    landed = session.post(
        f"{live_server.url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken"),
            "login": agent.email,
            "password": TEST_PASSWORD,
        },
        timeout=10,
    )
    assert landed.url == f"{live_server.url}/desk/"


def test_a_provider_that_sends_no_email_gets_a_plain_message(
    live_server, oidc_provider, oidc_settings
):
    oidc_provider.set_user("vic", name="Vic Noemail", email="", groups=["desk-agents"])

    _, answer = sso_sign_in(live_server.url, "vic")

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "did not tell us your email address" in answer.text
    assert not User.objects.filter(display_name="Vic Noemail").exists()


def test_after_signing_in_the_person_lands_where_they_were_going(
    live_server, oidc_provider, oidc_settings
):
    oidc_provider.set_user("wes", name="Wes Where", email="wes@example.com", groups=["desk-agents"])

    _, landed = sso_sign_in(live_server.url, "wes", start="/desk/changes/")

    assert landed.url == f"{live_server.url}/desk/changes/"


def test_a_provider_that_hangs_costs_the_timeout_and_gives_the_plain_message(live_server, settings):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        hanging = PrivateOidcProvider()
        hanging.issuer = f"http://127.0.0.1:{port}/o"
        try:
            configure_oidc(settings, hanging)
            settings.SOCIALACCOUNT_REQUESTS_TIMEOUT = 1
            started = time.monotonic()
            _, answer = sso_sign_in(live_server.url, "olga")
            took = time.monotonic() - started
        finally:
            hanging.remove()

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "cannot be reached just now" in answer.text
    assert took < 5


def test_cancelling_at_the_provider_says_so_on_the_sign_in_page(
    live_server, oidc_provider, oidc_settings
):
    session = requests.Session()
    page = session.get(f"{live_server.url}/accounts/login/", timeout=10)
    to_provider = session.post(
        f"{live_server.url}/accounts/oidc/example/login/?process=login",
        data={"csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken")},
        allow_redirects=False,
        timeout=10,
    )
    state = re.search(r"[?&]state=([^&]+)", to_provider.headers["Location"]).group(1)

    # What the provider sends back when the person presses its "Cancel".
    answer = session.get(
        f"{live_server.url}/accounts/oidc/example/login/callback/",
        params={"error": "access_denied", "state": state},
        timeout=10,
    )

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "Signing in with Example ID was cancelled." in answer.text
