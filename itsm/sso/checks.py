"""System checks: a role map naming a role that does not exist fails at start-up, not at the
first sign-in (STYLE §8: fail loudly)."""

from typing import Any

from django.conf import settings
from django.core import checks

from itsm.accounts.roles import Role


def _unknown_roles(role_map: Any) -> list[str]:
    if not isinstance(role_map, dict):
        return ["(not a JSON object)"]
    named: list[Any] = []
    for roles in role_map.values():
        named.extend([roles] if isinstance(roles, str) else list(roles))
    return sorted({str(role) for role in named} - set(Role.values))


@checks.register(checks.Tags.security)
def role_maps_name_known_roles(**_: Any) -> list[checks.CheckMessage]:
    maps: dict[str, Any] = {"ITSM_LDAP_ROLE_MAP": settings.ITSM_LDAP_ROLE_MAP}
    providers: dict[str, Any] = settings.SOCIALACCOUNT_PROVIDERS
    for app in providers.get("openid_connect", {}).get("APPS", []):
        maps[f"ITSM_OIDC_PROVIDERS ({app['provider_id']})"] = app["settings"].get("role_map", {})
    return [
        checks.Error(
            f"{name} names unknown roles: {', '.join(unknown)}.",
            hint=f"Roles are: {', '.join(Role.values)}.",
            id="sso.E001",
        )
        for name, role_map in maps.items()
        if (unknown := _unknown_roles(role_map))
    ]
