"""Every write to personal access tokens: make, revoke, note a use."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from itsm.apitokens.choices import TokenResource, TokenScope
from itsm.apitokens.exceptions import TokenRefused
from itsm.apitokens.models import MANAGE_ANY_TOKEN, PersonalAccessToken
from itsm.audit.services import audit_record
from itsm.core.exceptions import PermissionRefused
from itsm.core.permissions import actor_may

# Recognisable in a leaked log or a secret scanner's rules; the rest is 256 random bits.
SECRET_PREFIX = "itsm_pat_"
# The first characters kept in the clear, so a person can tell their tokens apart.
SHOWN_CHARS = len(SECRET_PREFIX) + 6
# A token's last use is written at most this often: not a write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def max_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.ITSM_API_TOKEN_MAX_DAYS)


def _check(
    *,
    owner: Any,
    name: str,
    scope: str,
    resources: list[str],
    expires_at: datetime,
    via: PersonalAccessToken | None,
) -> None:
    if not name:
        raise TokenRefused("Give the token a name, so you know later what uses it.", field="name")
    if scope not in TokenScope.values:
        raise TokenRefused("Choose read only or read and write.", field="scope")
    if not resources:
        raise TokenRefused("Choose at least one part of the API.", field="resources")
    unknown = sorted(set(resources) - set(TokenResource.values))
    if unknown:
        raise TokenRefused(f"Unknown resources: {', '.join(unknown)}.", field="resources")
    if expires_at <= timezone.now():
        raise TokenRefused("The expiry must be in the future.", field="expires_at")
    if expires_at > max_expiry() + timedelta(days=1):
        raise TokenRefused(
            f"A token may last at most {settings.ITSM_API_TOKEN_MAX_DAYS} days.",
            field="expires_at",
        )
    if PersonalAccessToken.objects.filter(owner=owner, name=name, revoked_at=None).exists():
        raise TokenRefused(
            "You already have a token of that name; revoke it or choose another name.",
            field="name",
        )
    if via is not None:
        # A token that makes tokens hands on no more than it holds itself.
        if via.read_only:
            raise TokenRefused("A read-only token cannot make tokens.", field="scope")
        if not set(resources) <= set(via.resources):
            raise TokenRefused(
                "A token can only make tokens for the resources it has itself.",
                field="resources",
            )
        if expires_at > via.expires_at:
            raise TokenRefused(
                "A token can only make tokens that expire no later than itself.",
                field="expires_at",
            )


@transaction.atomic
def token_create(
    *,
    owner: Any,
    name: str,
    scope: str,
    resources: Iterable[str],
    expires_at: datetime,
    via: PersonalAccessToken | None = None,
) -> tuple[PersonalAccessToken, str]:
    """Make a token for `owner` and return it with its secret: the only time anyone sees the
    secret, as only its hash is kept. `via` is the token the request came with, if any."""
    name = name.strip()
    chosen = sorted(set(resources))
    _check(owner=owner, name=name, scope=scope, resources=chosen, expires_at=expires_at, via=via)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        owner=owner,
        name=name,
        prefix=secret[:SHOWN_CHARS],
        key_hash=PersonalAccessToken.hash_secret(secret),
        scope=scope,
        resources=chosen,
        expires_at=expires_at,
    )
    audit_record(
        record=token,
        actor=owner,
        action="api_token_created",
        message=f"{TokenScope(scope).label}; {', '.join(chosen)}; expires {expires_at:%Y-%m-%d}",
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: PersonalAccessToken, actor: Any) -> PersonalAccessToken:
    """Revoke `token` (its owner, or an administrator who may manage anyone's): it answers
    401 from then on. Revoking a revoked token changes nothing."""
    if token.owner_id != getattr(actor, "pk", None) and not actor_may(actor, MANAGE_ANY_TOKEN):
        raise PermissionRefused("Only the token's owner or an administrator can revoke it.")
    token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    by_other = token.owner_id != actor.pk
    audit_record(
        record=token,
        actor=actor,
        action="api_token_revoked",
        message=f"revoked by an administrator for {token.owner}" if by_other else "",
    )
    return token


def token_note_use(*, token: PersonalAccessToken, address: str | None) -> None:
    """Record when and from where `token` was last used, at most once a minute: one
    conditional UPDATE (no lock, no transaction), skipped when the last note is recent."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    PersonalAccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now, last_used_from=address or None)
    token.last_used_at = now
    token.last_used_from = address or None
