"""The SSO configuration from the environment, the role-map check, and the sign-in page's
buttons (issue #20, part B)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_auth_ldap.config import GroupOfNamesType, NestedActiveDirectoryGroupType

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.sso.config import ldap_group_type, oidc_apps_from_env
from itsm.sso.services import roles_from_groups

ENTRA = {
    "id": "entra",
    "name": "Microsoft Entra ID",
    "server_url": "https://login.microsoftonline.com/TENANT/v2.0",
    "client_id": "abc",
    "role_map": {"desk-agents": "Agent"},
}


def test_a_provider_entry_becomes_an_allauth_app_with_its_secret_from_the_environment():
    def secrets(name, default=""):
        return {"ITSM_OIDC_ENTRA_SECRET": "from-env"}.get(name, default)

    (app,) = oidc_apps_from_env([ENTRA], secrets)

    assert app["provider_id"] == "entra"
    assert app["name"] == "Microsoft Entra ID"
    assert app["secret"] == "from-env"
    assert app["settings"]["server_url"] == ENTRA["server_url"]
    assert app["settings"]["groups_claim"] == "groups"
    assert app["settings"]["role_map"] == {"desk-agents": "Agent"}


@pytest.mark.parametrize(
    ("providers", "message"),
    [
        ({"id": "x"}, "JSON list"),
        ([{**ENTRA, "server_url": ""}], "lacks server_url"),
        ([{**ENTRA, "id": "bad id!"}], "letters, digits"),
        ([{**ENTRA, "role_map": ["Agent"]}], "role_map"),
    ],
)
def test_a_broken_provider_list_fails_at_start_up(providers, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_apps_from_env(providers, lambda *_: "")


def test_ldap_group_types_and_their_default_filters():
    group_type, group_filter = ldap_group_type("groupOfNames")
    assert isinstance(group_type, GroupOfNamesType)
    assert group_filter == "(objectClass=groupOfNames)"
    assert isinstance(ldap_group_type("nestedActiveDirectory")[0], NestedActiveDirectoryGroupType)
    with pytest.raises(ImproperlyConfigured, match="LDAP_GROUP_TYPE"):
        ldap_group_type("openldap")


def test_roles_come_from_mapped_groups_only_and_ignore_case():
    role_map = {"Desk-Agents": "Agent", "cn=Managers,ou=groups": ["Service desk manager", "Agent"]}

    wanted, managed = roles_from_groups(
        groups=["desk-agents", "CN=managers,OU=groups", "unknown"], role_map=role_map
    )
    assert wanted == {"Agent", "Service desk manager"}
    assert managed == {"Agent", "Service desk manager"}
    assert roles_from_groups(groups=["unknown"], role_map=role_map)[0] == set()


def test_a_role_map_naming_an_unknown_role_fails_the_system_check(settings):
    settings.ITSM_LDAP_ROLE_MAP = {"itsm-agents": "Agnet"}
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": oidc_apps_from_env(
                [{**ENTRA, "role_map": {"g": ["Agent", "Superhero"]}}], lambda *_: ""
            )
        }
    }
    with pytest.raises(SystemCheckError) as failure:
        call_command("check", tags=["security"])
    assert "ITSM_LDAP_ROLE_MAP names unknown roles: Agnet." in str(failure.value)
    assert "ITSM_OIDC_PROVIDERS (entra) names unknown roles: Superhero." in str(failure.value)
    settings.ITSM_LDAP_ROLE_MAP = {"itsm-agents": Role.AGENT}
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    call_command("check", tags=["security"])


@pytest.mark.django_db
def test_the_sign_in_page_has_one_button_per_provider_as_a_post_form(
    client, settings, django_assert_num_queries
):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": oidc_apps_from_env(
                [ENTRA, {**ENTRA, "id": "okta", "name": "Okta"}], lambda *_: ""
            )
        }
    }
    with django_assert_num_queries(1):  # allauth's SocialApp table (none stored here)
        page = client.get("/accounts/login/").content.decode()

    assert "Sign in with Microsoft Entra ID" in page
    assert "Sign in with Okta" in page
    assert page.count('action="/accounts/oidc/entra/login/?process=login') == 1
    assert 'method="post" action="/accounts/oidc/okta/login/' in page
    # Strict CSP ahead: no inline script or style in what we add.
    assert "<script>" not in page and 'style="' not in page


@pytest.mark.django_db
def test_no_providers_no_single_sign_on_section(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "company account" not in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_local_sign_up_through_allauth_is_closed(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "walk-in@example.com",
            "password1": "x-Long-pass-9",
            "password2": "x-Long-pass-9",
        },
    )
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="walk-in@example.com").exists()
