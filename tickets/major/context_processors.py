"""`desk_major_banner`: the open major incidents every desk page announces."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tickets.major.selectors import major_desk_banner


def desk_major_banner(request: HttpRequest) -> dict:
    # Lazy: only desk/base.html reads it, so portal pages, emails and partials that never
    # touch the banner cost no cache or database round trip.
    return {"desk_major_banner": SimpleLazyObject(major_desk_banner)}
