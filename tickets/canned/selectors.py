"""Reading canned responses: the ones an agent may insert (global, their teams', their own)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from itsm.core.permissions import actor_may
from tickets import permissions as may
from tickets.canned.models import CannedResponse, CannedResponseScope


def canned_response_list_for_user(*, user: Any, text: str = "") -> QuerySet[CannedResponse]:
    """Global responses, those of the user's teams and the user's own, by title; `text`
    narrows by title or body (the reply box's type-ahead)."""
    visible = (
        Q(scope=CannedResponseScope.GLOBAL)
        | Q(scope=CannedResponseScope.TEAM, team__members=user)
        | Q(scope=CannedResponseScope.TEAM, team__lead=user)
        | Q(scope=CannedResponseScope.PERSONAL, owner=user)
    )
    if actor_may(user, may.MANAGE_SHARED_CANNED):
        # Those who manage every team's responses see them all.
        visible |= Q(scope=CannedResponseScope.TEAM)
    responses = CannedResponse.objects.filter(visible).select_related("team", "owner")
    text = text.strip()
    if text:
        responses = responses.filter(Q(title__icontains=text) | Q(body__icontains=text))
    return responses.distinct().order_by("title", "id")


def canned_response_get_for_user(*, user: Any, response_id: int) -> CannedResponse:
    """One response the user may see; any other is 404."""
    try:
        return canned_response_list_for_user(user=user).get(pk=response_id)
    except CannedResponse.DoesNotExist:
        raise Http404("No such canned response.") from None
