"""Single sign-on as a person does it in the browser (issue #20, part B): the "Sign in with
…" button through a real OpenID Connect provider's login form, the directory password in the
normal form against a real slapd, and the plain messages when either is down."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.sso.ldap import DIRECTORY_UNREACHABLE
from itsm.sso.middleware import PROVIDER_UNREACHABLE
from tests.factories.accounts import TEST_PASSWORD
from tests.sso.conftest import (
    DIRECTORY_PASSWORD,
    _directory_with_people,
    configure_ldap,
    configure_oidc,
    running_directory,
    running_oidc_provider,
)
from tests.sso.provider import PROVIDER_PASSWORD, PrivateOidcProvider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

directory = pytest.fixture(running_directory, scope="module", name="directory")
oidc_provider = pytest.fixture(running_oidc_provider, scope="module", name="oidc_provider")


def test_an_agent_signs_in_with_the_company_provider(live_server, page, settings, oidc_provider):
    configure_oidc(settings, oidc_provider)
    oidc_provider.set_user(
        "tara", name="Tara Sso", email="tara@example.com", groups=["desk-agents", "vpn-users"]
    )

    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", name="Or use your company account")).to_be_visible()
    page.get_by_role("button", name="Sign in with Example ID").click()
    expect(page.get_by_role("heading", name="Example Identity Provider")).to_be_visible()
    page.get_by_label("Username").fill("tara")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Log in to the provider").click()

    expect(page).to_have_url(live_server.url + "/desk/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tara")
    user = User.objects.get(email="tara@example.com")
    assert set(user.groups.values_list("name", flat=True)) == {Role.AGENT}


def test_a_group_taken_away_at_the_provider_lands_the_person_in_the_portal(
    live_server, page, settings, oidc_provider
):
    configure_oidc(settings, oidc_provider)
    oidc_provider.set_user("uma", name="Uma Moved", email="uma@example.com", groups=[])
    user = User.objects.create_user(email="uma@example.com", display_name="Uma Moved")
    user.groups.add(Group.objects.get(name=Role.AGENT))

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Sign in with Example ID").click()
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Log in to the provider").click()

    expect(page).to_have_url(live_server.url + "/portal/")
    assert not user.groups.filter(name=Role.AGENT).exists()


def test_provider_down_shows_a_plain_message_and_the_password_form(live_server, page, settings):
    down = PrivateOidcProvider()  # never started
    try:
        configure_oidc(settings, down)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_role("button", name="Sign in with Example ID").click()
    finally:
        down.remove()

    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.get_by_role("status")).to_contain_text(
        PROVIDER_UNREACHABLE.format(provider="Example ID")
    )
    expect(page.get_by_label("Email address")).to_be_visible()


def test_a_directory_user_signs_in_with_the_directory_password(
    live_server, page, settings, directory
):
    configure_ldap(settings, directory)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("lena.ldap@example.com")
    page.get_by_label("Password").fill(DIRECTORY_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(live_server.url + "/desk/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lena")


def test_directory_down_tells_directory_users_and_lets_local_accounts_in(
    live_server, page, settings, agent
):
    gone = _directory_with_people()
    configure_ldap(settings, gone)
    gone.remove()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill("lena.ldap@example.com")
    page.get_by_label("Password").fill(DIRECTORY_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(DIRECTORY_UNREACHABLE)

    page.get_by_label("Email address").fill(agent.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(live_server.url + "/desk/")
