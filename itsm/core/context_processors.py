from django.http import HttpRequest

from itsm.accounts.roles import user_is_staff_member


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "is_desk_user": bool(user and user.is_authenticated and user_is_staff_member(user)),
    }
