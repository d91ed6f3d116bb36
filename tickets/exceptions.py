from typing import Any

from itsm.core.exceptions import DomainError


class InvalidTicketInput(DomainError):
    code = "invalid_input"


class AttachmentRefused(DomainError):
    code = "attachment_refused"


class MajorIncidentAlreadyOpen(DomainError):
    """A major incident is already open on the ticket's service or CI: declaring a second one
    for the same outage needs the caller's confirmation (`force`); linking is usually right."""

    status_code = 409
    code = "major_incident_already_open"

    def __init__(self, message: str, *, existing: Any) -> None:
        super().__init__(message, field="force")
        self.existing = existing
