"""Fixtures for single sign-on against real servers: a private slapd (tests/sso/slapd.py) and
a private OpenID Connect provider (tests/sso/oidc_provider/)."""

import ldap
import pytest
from django_auth_ldap.config import LDAPSearch

from tests.sso import slapd

DIRECTORY_PASSWORD = "directory-password-1"

# The role map the tests configure: a group by name, a group by DN giving two roles.
LDAP_ROLE_MAP = {
    "itsm-agents": "Agent",
    f"cn=itsm-managers,{slapd.GROUPS}": ["Service desk manager", "Agent"],
    "itsm-cab": "CAB member",
}


def _directory_with_people() -> slapd.PrivateDirectory:
    if not slapd.available():
        pytest.skip("slapd and ldap-utils are not installed (.ci/run installs them)")
    directory = slapd.PrivateDirectory()
    directory.start()
    directory.add_base()
    lena = directory.add_person(
        "lena", name="Lena Ldap", email="Lena.Ldap@example.com", password=DIRECTORY_PASSWORD
    )
    max_ = directory.add_person(
        "max", name="Max Manager", email="max@example.com", password=DIRECTORY_PASSWORD
    )
    directory.add_group("itsm-agents", lena)
    directory.add_group("itsm-managers", max_)
    directory.add_group("itsm-cab", max_)
    directory.add_group("printer-users", lena, max_)  # in no map: ignored
    return directory


def running_directory():
    """slapd with Lena (itsm-agents, printer-users) and Max (itsm-managers, itsm-cab)."""
    directory = _directory_with_people()
    yield directory
    directory.remove()


directory = pytest.fixture(running_directory, scope="module", name="directory")


def configure_ldap(settings, directory: slapd.PrivateDirectory) -> None:
    settings.AUTH_LDAP_SERVER_URI = directory.uri
    settings.AUTH_LDAP_BIND_DN = slapd.ADMIN_DN
    settings.AUTH_LDAP_BIND_PASSWORD = slapd.ADMIN_PASSWORD
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(slapd.PEOPLE, ldap.SCOPE_SUBTREE, "(mail=%(user)s)")
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        slapd.GROUPS, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
    )
    settings.AUTH_LDAP_START_TLS = False
    settings.AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: 3.0, ldap.OPT_TIMEOUT: 3.0}
    settings.ITSM_LDAP_ROLE_MAP = LDAP_ROLE_MAP


@pytest.fixture
def ldap_settings(settings, directory):
    configure_ldap(settings, directory)
    return settings


# --- OpenID Connect ------------------------------------------------------------------------


def running_oidc_provider(live_server):
    """The tests' OIDC provider, with the product (live_server) registered as its client."""
    from tests.sso.provider import PrivateOidcProvider

    provider = PrivateOidcProvider()
    provider.register_client(f"{live_server.url}/accounts/oidc/example/login/callback/")
    provider.start()
    yield provider
    provider.remove()


oidc_provider = pytest.fixture(running_oidc_provider, scope="module", name="oidc_provider")


def configure_oidc(settings, provider) -> None:
    from itsm.sso.config import oidc_apps_from_env

    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": oidc_apps_from_env([provider.app_config()], lambda *_: ""),
        }
    }


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    configure_oidc(settings, oidc_provider)
    return settings
