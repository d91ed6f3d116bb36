"""Personal access tokens for tests, made the way people make them (the service)."""

from datetime import timedelta

from django.utils import timezone

from itsm.apitokens.choices import TokenResource, TokenScope
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
