"""Personal access tokens for tests, made the way people make them (the service)."""

import secrets
from datetime import timedelta

from django.utils import timezone

from itsm.apitokens.choices import TokenResource, TokenScope
from itsm.apitokens.models import PersonalAccessToken
from itsm.apitokens.services import token_create


def make_token(user, *, scope=TokenScope.WRITE, resources=None, days=30, name=None):
    """(token, secret) for `user`; every resource unless `resources` says otherwise."""
    return token_create(
        owner=user,
        name=name or f"test token {timezone.now().timestamp()}",
        scope=scope,
        resources=TokenResource.values if resources is None else resources,
        expires_at=timezone.now() + timedelta(days=days),
    )


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_unaudited_token(user, *, days=1) -> str:
    """A read-and-write token for every resource, made without the service's audit event,
    for fixtures that delete their user afterwards (audit events are append-only and keep
    their actor). Returns the secret."""
    secret = f"itsm_pat_{secrets.token_urlsafe(32)}"
    PersonalAccessToken.objects.create(
        owner=user,
        name="fixture token",
        prefix=secret[:15],
        key_hash=PersonalAccessToken.hash_secret(secret),
        scope=TokenScope.WRITE,
        resources=TokenResource.values,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return secret
