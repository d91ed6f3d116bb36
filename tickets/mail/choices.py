"""Choices of the e-mail channel (lowercase values, like every choices module)."""

from django.db import models


class MailSecurity(models.TextChoices):
    IMAPS = "imaps", "IMAPS (TLS from the first byte, usually port 993)"
    STARTTLS = "starttls", "STARTTLS (plain connection upgraded to TLS, usually port 143)"


class ProcessedAction(models.TextChoices):
    MOVE = "move", "Move to a folder"
    FLAG = "flag", "Mark as read and leave in the folder"


class UnknownSenders(models.TextChoices):
    CREATE = "create", "Create a requester account and open the ticket"
    REFUSE = "refuse", "Answer with a polite refusal"


class MailboxState(models.TextChoices):
    OK = "ok", "Working"
    FAILING = "failing", "Failing"


class InboundOutcome(models.TextChoices):
    TICKET = "ticket", "New ticket"
    COMMENT = "comment", "Reply on a ticket"
    HELD = "held", "Note for the desk (sender not on the ticket)"
    IGNORED = "ignored", "Ignored (automatic mail, loop or rate limit)"
    REFUSED = "refused", "Refused"
