"""Reads of personal access tokens."""

from typing import Any

from django.db.models import QuerySet

from itsm.apitokens.models import MANAGE_ANY_TOKEN, PersonalAccessToken
from itsm.core.permissions import actor_may


def token_for_secret(*, secret: str) -> PersonalAccessToken | None:
    """The token whose secret this is (any state: the caller tells expired from revoked),
    with its owner; one query."""
    if not secret:
        return None
    return (
        PersonalAccessToken.objects.select_related("owner")
        .filter(key_hash=PersonalAccessToken.hash_secret(secret))
        .first()
    )


def token_list_visible_to(*, user: Any) -> QuerySet[PersonalAccessToken]:
    """The user's own tokens; everyone's for an administrator who may manage anyone's."""
    tokens = PersonalAccessToken.objects.select_related("owner", "revoked_by")
    if actor_may(user, MANAGE_ANY_TOKEN):
        return tokens
    return tokens.filter(owner=user)


def token_list_for_owner(*, owner: Any) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(owner=owner).select_related("revoked_by")
