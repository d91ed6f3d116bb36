"""Sign-in with the directory password (LDAP / Active Directory) through django-auth-ldap.

The normal sign-in form is used: the "Email address" the person types is looked up with
LDAP_USER_FILTER and their password is checked by binding as them. Their account is created
or updated from the entry, and ITSM_LDAP_ROLE_MAP gives and takes roles from their groups on
every sign-in. A directory that cannot be reached is remembered on the request, so the form
can say so instead of "wrong password" (issue #20).
"""

from typing import Any

import ldap
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend, ldap_error

from itsm.accounts.models import User
from itsm.sso.services import sso_sign_in_apply

DIRECTORY = "the company directory"
DIRECTORY_UNREACHABLE = (
    "The company directory cannot be reached just now, so we could not check your password. "
    "Try again in a few minutes."
)
_UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)
_FLAG = "_itsm_directory_unreachable"


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, off while LDAP_SERVER_URI is empty, with our role map."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not settings.AUTH_LDAP_SERVER_URI:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_group_permissions(self, user: Any, obj: Any = None) -> set[str]:
        # Permissions come from the role groups (ModelBackend), never from LDAP lookups
        # on every permission check.
        return set()

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or not user.is_active:
            return user
        sso_sign_in_apply(
            user=user,
            provider=DIRECTORY,
            groups=[*ldap_user.group_dns, *ldap_user.group_names],
            role_map=settings.ITSM_LDAP_ROLE_MAP,
        )
        return user


def directory_unreachable(request: HttpRequest | None) -> bool:
    """True when this request's sign-in found the directory down (for the form's message)."""
    return bool(getattr(request, _FLAG, False))


@receiver(ldap_error, sender=DirectoryBackend)
def _remember_unreachable(
    sender: type,
    context: str,
    user: Any,
    request: HttpRequest | None,
    exception: Exception,
    **_: Any,
) -> None:
    if request is not None and isinstance(exception, _UNREACHABLE):
        setattr(request, _FLAG, True)
