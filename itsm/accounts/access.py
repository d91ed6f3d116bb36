"""What a person may do — their role names and permissions — kept in the cache between
requests, so a page does not ask the database for them on every load (three queries: the
roles, the person's own permissions, their roles' permissions).

Access is taken away the moment it changes: giving or taking a role or a permission, changing
a role's permissions, or saving the person starts a new generation of entries
(connected in itsm.accounts.apps), so no process serves an entry older than the change. Entries also
expire after ACCESS_SECONDS, which bounds the one case a new generation cannot cover: a change
made while Redis was unreachable.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from itsm.core.cache import cached_in_generation, forget, new_generation

ACCESS_SECONDS = 300
GENERATION_KEY = "accounts:access-generation"


@dataclass(frozen=True, slots=True)
class Access:
    roles: frozenset[str]
    permissions: frozenset[str]  # "app_label.codename", as user.has_perm asks


def user_access(user: Any) -> Access:
    """The person's roles and permissions, kept on the user object for the request."""
    access = getattr(user, "_itsm_access", None)
    if access is None:
        access = user._itsm_access = cached_in_generation(
            _key(user.pk),
            generation_key=GENERATION_KEY,
            seconds=ACCESS_SECONDS,
            compute=lambda: _read_access(user),
        )
    return access


def access_changed(**_kwargs: Any) -> None:
    """Signal receiver: a role or a permission was given, taken or changed; every entry is
    old (a role's change reaches everyone who has it)."""
    new_generation(GENERATION_KEY)


def person_saved(sender: Any, instance: Any, **_kwargs: Any) -> None:
    """Signal receiver: a person was saved (made a superuser, deactivated, or new)."""
    forget(_key(instance.pk))


def _key(user_id: int) -> str:
    return f"accounts:access:{user_id}"


def _read_access(user: Any) -> Access:
    """Two queries: the role names, then the permissions given to the person or to any of
    their roles (all of them for a superuser), as Django's model backend grants them."""
    permissions = Permission.objects.all()
    if not user.is_superuser:
        permissions = permissions.filter(Q(user=user) | Q(group__user=user))
    return Access(
        roles=frozenset(user.groups.values_list("name", flat=True)),
        permissions=frozenset(
            f"{app_label}.{codename}"
            for app_label, codename in permissions.values_list(
                "content_type__app_label", "codename"
            ).distinct()
        ),
    )


class CachedPermissionsBackend(ModelBackend):
    """Django's own model backend, its permission look-ups served by `user_access`. It checks
    no password: allauth's backend does, once, so a sign-in costs one password hash whether
    the account exists, is locked or not (itsm.accounts.lockout)."""

    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kw: Any):
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(user_access(user_obj).permissions)
        return user_obj._perm_cache
