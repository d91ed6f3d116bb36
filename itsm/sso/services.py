"""Writes of a single sign-on: the account brought up to date and the mapped roles applied on
every sign-in, with one audit event naming the provider (issue #20)."""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from itsm.accounts.models import User
from itsm.audit.services import audit_record

logger = logging.getLogger(__name__)

RoleMap = Mapping[str, str | list[str]]


@dataclass(frozen=True)
class RoleChange:
    added: frozenset[str]
    removed: frozenset[str]


def roles_from_groups(*, groups: Iterable[str], role_map: RoleMap) -> tuple[set[str], set[str]]:
    """(the roles the person's groups give, every role the map manages).

    Group names and DNs compare without regard to case (LDAP compares them so, and providers
    differ in how they spell them). Groups the map does not name are ignored.
    """
    held = {group.casefold() for group in groups}
    wanted: set[str] = set()
    managed: set[str] = set()
    for group, roles in role_map.items():
        names = {roles} if isinstance(roles, str) else set(roles)
        managed |= names
        if group.casefold() in held:
            wanted |= names
    return wanted, managed


def _apply_roles(*, user: User, groups: Iterable[str], role_map: RoleMap) -> RoleChange:
    wanted, managed = roles_from_groups(groups=groups, role_map=role_map)
    current = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
    to_add, to_remove = wanted - current, (managed - wanted) & current
    if to_add:
        user.groups.add(*Group.objects.filter(name__in=to_add))
    if to_remove:
        # Only roles the map manages are taken away: one given by hand stays.
        user.groups.remove(*Group.objects.filter(name__in=to_remove))
    return RoleChange(added=frozenset(to_add), removed=frozenset(to_remove))


def _apply_profile(*, user: User, email: str, display_name: str) -> dict[str, dict[str, object]]:
    changes: dict[str, dict[str, object]] = {}
    email = email.strip().lower()
    if email and email != user.email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            # Another account holds the address: keep this one's rather than fail the sign-in.
            logger.warning("SSO: %s reports %s, which another account holds", user.email, email)
        else:
            changes["email"] = {"from": user.email, "to": email}
            user.email = email
    display_name = display_name.strip()[:150]
    if display_name and display_name != user.display_name:
        changes["display_name"] = {"from": user.display_name, "to": display_name}
        user.display_name = display_name
    if changes:
        user.save(update_fields=list(changes))
    return changes


@transaction.atomic
def sso_sign_in_apply(
    *,
    user: User,
    provider: str,
    groups: Iterable[str],
    role_map: RoleMap,
    email: str = "",
    display_name: str = "",
) -> RoleChange:
    """A person signed in through `provider` (an OIDC provider's name, or "the directory").

    Brings the name and e-mail address up to date when given (the provider is the source of
    truth for them), gives the roles their groups map to and takes away mapped roles they no
    longer hold (roles the map does not name are left alone), and writes a `signed_in_sso`
    audit event on the user naming the provider and any role change. Called on every
    sign-in, so a group removed at the provider removes the role at the next sign-in.
    """
    changes: dict[str, dict[str, object]] = {
        **_apply_profile(user=user, email=email, display_name=display_name)
    }
    change = _apply_roles(user=user, groups=groups, role_map=role_map)
    if change.added:
        changes["roles_added"] = {"from": None, "to": sorted(change.added)}
    if change.removed:
        changes["roles_removed"] = {"from": sorted(change.removed), "to": None}
    audit_record(
        record=user,
        actor=user,
        action="signed_in_sso",
        changes=changes,
        message=f"Signed in with {provider}",
    )
    return change
