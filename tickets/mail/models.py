"""The e-mail channel: mailboxes the desk reads, and one record per message it processed.

`InboundMessage` is the exactly-once ledger: it is written in the same transaction as the
ticket or comment a message becomes, and (Message-ID, content hash) is unique, so a message
fetched twice, or by two workers, is turned into a ticket once. Refusals and ignored
automatic mail are recorded the same way, which is what the mailbox's admin page lists.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tickets.mail.choices import (
    InboundOutcome,
    MailboxState,
    MailSecurity,
    ProcessedAction,
    UnknownSenders,
)


class Mailbox(models.Model):
    """An IMAP mailbox the desk reads. The password is write-only in the admin."""

    name = models.CharField(max_length=100, unique=True)
    address = models.EmailField(
        unique=True, help_text="The desk address people write to; replies go back to it."
    )
    is_active = models.BooleanField(default=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(
        max_length=10, choices=MailSecurity.choices, default=MailSecurity.IMAPS
    )
    username = models.CharField(max_length=255)
    # Kept because IMAP needs it to log in; the admin never shows it again after saving.
    password = models.CharField(max_length=500, blank=True)
    # OAuth2 (SASL XOAUTH2) instead of the password, e.g. Microsoft 365 or Gmail: an access
    # token the administrator (or a token-refreshing job) saves; write-only like the password.
    oauth2_token = models.TextField(
        "OAuth2 access token",
        blank=True,
        help_text="Signs in with XOAUTH2 instead of the password when set.",
    )
    folder = models.CharField(max_length=255, default="INBOX")
    use_idle = models.BooleanField(
        "use IMAP IDLE",
        default=False,
        help_text="The mail_idle process keeps a connection open and reads new mail the "
        "moment the server announces it; polling goes on as the fallback.",
    )
    plus_addressing = models.BooleanField(
        default=False,
        help_text="Reply-To carries the ticket number (help+INC0001234@…), so a reply finds "
        "its ticket even without its headers and subject. Only if the mail server delivers "
        "plus addresses to this mailbox.",
    )
    processed_action = models.CharField(
        max_length=10, choices=ProcessedAction.choices, default=ProcessedAction.MOVE
    )
    processed_folder = models.CharField(
        max_length=255, default="Processed", blank=True, help_text="Only when moving."
    )
    default_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"parent__isnull": True, "is_active": True},
    )
    unknown_senders = models.CharField(
        max_length=10, choices=UnknownSenders.choices, default=UnknownSenders.CREATE
    )
    state = models.CharField(max_length=10, choices=MailboxState.choices, default=MailboxState.OK)
    last_error = models.TextField(blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"
        # Agents hold tickets.add_*/change_* for their daily work; configuring where mail
        # comes from (and its secrets) is the administrators' (and desk managers') act.
        permissions = [("configure_mailbox", "Can configure mailboxes (desk pages)")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(processed_action=ProcessedAction.MOVE) | ~Q(processed_folder=""),
                name="mailbox_move_has_folder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class InboundMessage(models.Model):
    """One message the channel processed, and what became of it."""

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # Empty when the message had none; the content hash still tells messages apart.
    message_id = models.CharField(max_length=998, blank=True)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the raw message.")
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=InboundOutcome.choices)
    reason = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    comment = models.ForeignKey(
        "tickets.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "content_hash"], name="inbound_message_once"
            )
        ]
        indexes = [
            # Threading: a reply's In-Reply-To/References against what we received.
            models.Index(fields=["message_id"], name="inbound_message_id"),
            # The per-sender rate limit counts the last hour.
            models.Index(fields=["sender", "received_at"], name="inbound_sender_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.subject or '(no subject)'}"
