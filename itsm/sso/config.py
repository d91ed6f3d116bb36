"""Settings helpers: the environment's SSO configuration turned into allauth's and
django-auth-ldap's settings. Imported by itsm/settings.py, so nothing here touches Django apps."""

from collections.abc import Callable, Mapping
from typing import Any

import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import (
    ActiveDirectoryGroupType,
    GroupOfNamesType,
    LDAPGroupType,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

DEFAULT_GROUPS_CLAIM = "groups"

# LDAP_GROUP_TYPE → (django-auth-ldap group type, the group search's default filter).
_GROUP_TYPES: dict[str, tuple[Callable[[], LDAPGroupType], str]] = {
    "groupOfNames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
    "posixGroup": (PosixGroupType, "(objectClass=posixGroup)"),
    "activeDirectory": (ActiveDirectoryGroupType, "(objectClass=group)"),
    # Groups in groups (AD's usual shape): membership is followed through nested groups.
    "nestedActiveDirectory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
}


def oidc_apps_from_env(
    providers: list[Mapping[str, Any]], read_secret: Callable[..., str | None]
) -> list[dict[str, Any]]:
    """allauth's openid_connect APPS from ITSM_OIDC_PROVIDERS (a JSON list, README).

    The client secret comes from the entry's "secret" or from ITSM_OIDC_<ID>_SECRET (or its
    _FILE), so it can stay out of the JSON. Fails loudly on a missing key.
    """
    if not isinstance(providers, list):
        raise ImproperlyConfigured("ITSM_OIDC_PROVIDERS must be a JSON list of providers.")
    apps = []
    for entry in providers:
        missing = [key for key in ("id", "name", "server_url", "client_id") if not entry.get(key)]
        if missing:
            raise ImproperlyConfigured(
                f"ITSM_OIDC_PROVIDERS: a provider lacks {', '.join(missing)} (README)."
            )
        provider_id = str(entry["id"])
        if not provider_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(
                f"ITSM_OIDC_PROVIDERS: id {provider_id!r} may hold letters, digits, - and _ only."
            )
        env_name = f"ITSM_OIDC_{provider_id.upper().replace('-', '_')}_SECRET"
        secret = entry.get("secret") or read_secret(env_name, "") or ""
        role_map = entry.get("role_map", {})
        if not isinstance(role_map, dict):
            raise ImproperlyConfigured(f"ITSM_OIDC_PROVIDERS: {provider_id}'s role_map: an object.")
        apps.append(
            {
                "provider_id": provider_id,
                "name": str(entry["name"]),
                "client_id": str(entry["client_id"]),
                "secret": secret,
                "settings": {
                    "server_url": str(entry["server_url"]),
                    "groups_claim": str(entry.get("groups_claim") or DEFAULT_GROUPS_CLAIM),
                    "role_map": role_map,
                    "scope": entry.get("scope") or ["openid", "profile", "email"],
                    # The company's provider vouches for its users' addresses.
                    "verified_email": bool(entry.get("verified_email", True)),
                    "email_authentication": bool(entry.get("email_authentication", True)),
                    "auth_params": entry.get("auth_params", {}),
                },
            }
        )
    return apps


def ldap_group_type(name: str) -> tuple[LDAPGroupType, str]:
    """The group type named by LDAP_GROUP_TYPE and its default group filter."""
    try:
        factory, default_filter = _GROUP_TYPES[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE must be one of {', '.join(_GROUP_TYPES)}, not {name!r}."
        ) from None
    return factory(), default_filter


def ldap_connection_options(*, timeout: float, ca_file: str) -> dict[int, Any]:
    """python-ldap options: a dead directory costs a sign-in `timeout` seconds, never a hang;
    a private CA for StartTLS/ldaps when given (NEWCTX last: it applies the TLS options)."""
    options: dict[int, Any] = {ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout}
    if ca_file:
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0
    return options
