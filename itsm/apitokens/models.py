import hashlib

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from itsm.apitokens.choices import TokenResource, TokenScope, TokenState
from itsm.core.models import TimeStampedModel

# The permission that lets an administrator see and revoke anyone's tokens.
MANAGE_ANY_TOKEN = "apitokens.manage_any_token"


class PersonalAccessToken(TimeStampedModel):
    """A person's key to the API, with a scope, a set of resources and an expiry.

    Only the SHA-256 of the secret is stored (the secret has 256 bits of entropy, so a plain
    hash is enough: nothing to brute-force); it is shown once when made. `prefix` is the
    secret's first characters, so a person can tell their tokens apart in a list and in logs.
    A revoked token stays as a record of who had which key when; it never authenticates again.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=20)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    resources = ArrayField(models.CharField(max_length=20, choices=TokenResource.choices))
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_any_token", "See and revoke anyone's API tokens")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_name_unique_while_active",
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=TokenScope.values), name="api_token_scope_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state(self) -> "TokenState":
        """ "revoked", "expired" or "active", in that order of precedence."""
        if self.is_revoked:
            return TokenState.REVOKED
        return TokenState.EXPIRED if self.is_expired else TokenState.ACTIVE

    @property
    def read_only(self) -> bool:
        return self.scope == TokenScope.READ
