"""Who may do what: the one check every write service makes, and the API permission classes.

DESIGN §5: every write service checks the permission of the act it performs ("may change
incidents", "may declare a major incident"), never "is some staff role". The permissions are
Django permissions (`app_label.codename`) granted to the roles of `itsm.accounts.roles`.
"""

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions

from itsm.accounts.roles import user_is_staff_member
from itsm.core.exceptions import PermissionRefused


def actor_may(actor: Any, permission: str) -> bool:
    """Whether `actor` holds `permission` through a role (or is a superuser).

    `None` is nobody here: services that let the system itself act (`actor=None`) decide
    that before asking. Inactive users hold no permission (Django's ModelBackend).
    """
    return actor is not None and actor.is_authenticated and actor.has_perm(permission)


def require_permission(actor: Any, permission: str, *, refusal: str) -> None:
    """Raise PermissionRefused with `refusal` (written for the person) unless `actor_may`."""
    if not actor_may(actor, permission):
        raise PermissionRefused(refusal)


class IsDeskUser(BasePermission):
    message = "This part of the API is for service desk staff."

    def has_permission(self, request, view) -> bool:
        return user_is_staff_member(request.user)


class DeskReadModelWrite(DjangoModelPermissions):
    """Desk staff read; writing needs the model's add/change/delete permission."""

    def has_permission(self, request, view) -> bool:
        if not user_is_staff_member(request.user):
            return False
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)


class ApiSchemaReader(BasePermission):
    """The OpenAPI schema and docs: for signed-in people and API tokens, or for anyone when
    settings.ITSM_PUBLISH_API_SCHEMA publishes them."""

    message = "Sign in (or send an API token) to read the API schema."

    def has_permission(self, request, view) -> bool:
        return settings.ITSM_PUBLISH_API_SCHEMA or bool(request.user.is_authenticated)
