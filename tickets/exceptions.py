from itsm.core.exceptions import DomainError


class InvalidTicketInput(DomainError):
    code = "invalid_input"


class AttachmentRefused(DomainError):
    code = "attachment_refused"
