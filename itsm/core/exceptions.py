"""Domain errors raised by services; interfaces turn them into messages or HTTP answers."""

from typing import Any


class DomainError(Exception):
    """A refused use case. `message` is written for the person who tried it."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class GuardFailed(DomainError):
    code = "guard_failed"


class StaleVersion(DomainError):
    """Someone else changed the record since the caller read it.

    `record` and `expected_version` let an interface show what changed in between (the
    record's audit events past the version the caller had)."""

    status_code = 409
    code = "stale_version"

    def __init__(
        self,
        message: str,
        *,
        current_version: int,
        record: Any = None,
        expected_version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.record = record
        self.expected_version = expected_version


class PermissionRefused(DomainError):
    status_code = 403
    code = "permission_denied"
