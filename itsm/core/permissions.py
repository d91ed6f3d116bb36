"""API permission classes shared by the apps."""

from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions

from itsm.accounts.roles import user_is_staff_member


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
