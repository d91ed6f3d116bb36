from itsm.core.exceptions import DomainError


class TokenRefused(DomainError):
    """A token cannot be made as asked (the message names the field)."""

    code = "token_refused"
