from itsm.core.exceptions import DomainError


class IdempotencyKeyReused(DomainError):
    """The key was already used for another request; the earlier answer is kept."""

    status_code = 422
    code = "idempotency_key_reused"
