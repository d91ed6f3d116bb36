"""`desk_major_banner`: the open major incidents every desk page announces, and
`portal_major_banner`: the active ones every portal page shows the signed-in requester."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tickets.major.selectors import major_banner_list, major_desk_banner


def desk_major_banner(request: HttpRequest) -> dict:
    # Lazy: only desk/base.html reads it, so portal pages, emails and partials that never
    # touch the banner cost no cache or database round trip.
    return {"desk_major_banner": SimpleLazyObject(major_desk_banner)}


def portal_major_banner(request: HttpRequest) -> dict:
    # Lazy for the same reason: only portal/base.html reads it. Nobody signed in, no banner.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_major_banner": []}
    return {"portal_major_banner": SimpleLazyObject(lambda: major_banner_list(user=user))}
