"""Claiming an Idempotency-Key, recording its answer, and forgetting old keys."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from itsm.accounts.models import User
from itsm.idempotency.exceptions import IdempotencyKeyReused
from itsm.idempotency.models import IdempotentRequest


def retention() -> timedelta:
    return timedelta(hours=settings.ITSM_IDEMPOTENCY_KEY_HOURS)


@transaction.atomic
def idempotent_request_claim(*, user: User, key: str, fingerprint: str) -> IdempotentRequest:
    """The row for (user, key), locked until the caller's transaction ends.

    A fresh claim has no `status_code`: the caller runs the create and records its answer in
    the same transaction. An earlier answer is returned for replay. A concurrent send of the
    same key waits here, on the unique constraint, until the first one commits (then finds
    its answer) or rolls back (then claims the key itself). A key past the retention window
    counts as never used.
    """
    IdempotentRequest.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - retention()
    ).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(user=user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        earlier = IdempotentRequest.objects.select_for_update().get(user=user, key=key)
    if earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request in the last "
            f"{settings.ITSM_IDEMPOTENCY_KEY_HOURS} hours; send a new key for a new request.",
            field="Idempotency-Key",
        )
    return earlier


@transaction.atomic
def idempotent_request_record(
    *, claim: IdempotentRequest, status_code: int, body: Any
) -> IdempotentRequest:
    """Keep the answer of a create that succeeded, for replay."""
    claim.status_code = status_code
    claim.response_body = body
    claim.save(update_fields=["status_code", "response_body"])
    return claim


@transaction.atomic
def idempotent_request_release(*, claim: IdempotentRequest) -> None:
    """Forget a claim whose create was refused, so the corrected request may reuse the key."""
    claim.delete()


@transaction.atomic
def idempotent_requests_prune() -> int:
    """Delete keys past the retention window; returns how many."""
    deleted, _ = IdempotentRequest.objects.filter(
        created_at__lt=timezone.now() - retention()
    ).delete()
    return deleted
