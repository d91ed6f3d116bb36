"""Reads of the e-mail channel: due mailboxes, the ledger, and which ticket a reply answers."""

import re
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from itsm.accounts.models import User
from itsm.notifications.models import Notification
from tickets.mail.choices import InboundOutcome
from tickets.mail.models import InboundMessage, Mailbox
from tickets.models import Ticket

# What our own Message-IDs look like (itsm.notifications.services.channels):
# the thread of a record, and one notification row.
THREAD_ID = re.compile(r"^<thread\.([A-Za-z0-9]+)@")
NOTIFICATION_ID = re.compile(r"^<[0-9a-f-]{36}\.(\d+)@")


def mailbox_ids_due() -> list[int]:
    """Active mailboxes whose next poll (pushed back while failing) has come."""
    return list(
        Mailbox.objects.filter(is_active=True, next_poll_at__lte=timezone.now())
        .order_by("next_poll_at")
        .values_list("pk", flat=True)
    )


def mailbox_get(*, mailbox_id: int) -> Mailbox:
    return Mailbox.objects.select_related(
        "default_team", "default_service", "default_category"
    ).get(pk=mailbox_id)


def own_addresses() -> set[str]:
    """Addresses we send from: mail from them is our own coming back (a loop)."""
    addresses = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    addresses.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return addresses - {""}


def mailbox_reply_to(notification: Notification) -> str:
    """Reply-To of an e-mail about a ticket: the first active mailbox's address, with the
    ticket's number as its plus part when the mailbox uses plus addressing."""
    if notification.record_type_id != ContentType.objects.get_for_model(Ticket).pk:
        return ""
    mailbox = (
        Mailbox.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("address", "plus_addressing")
        .first()
    )
    if mailbox is None:
        return ""
    address, plus = mailbox
    if plus and notification.record_label:
        local, _, domain = address.partition("@")
        return f"{local}+{notification.record_label}@{domain}"
    return address


def inbound_message_find(*, message_id: str, digest: str) -> InboundMessage | None:
    return InboundMessage.objects.filter(message_id=message_id, content_hash=digest).first()


def inbound_messages_from_sender_since(*, sender: str, hours: int = 1) -> int:
    since = timezone.now() - timedelta(hours=hours)
    return InboundMessage.objects.filter(sender=sender, received_at__gte=since).count()


def ticket_for_thread(*, message_ids: list[str]) -> Ticket | None:
    """The ticket a reply belongs to, by the Message-IDs it answers: our thread IDs and
    notification IDs first, then messages we received; the nearest answered ID wins."""
    ticket_type = ContentType.objects.get_for_model(Ticket)
    for message_id in message_ids:
        if found := THREAD_ID.match(message_id):
            ticket = Ticket.objects.filter(number=found.group(1)).first()
            if ticket is not None:
                return ticket
        if found := NOTIFICATION_ID.match(message_id):
            record_id = (
                Notification.objects.filter(pk=int(found.group(1)), record_type=ticket_type)
                .values_list("record_id", flat=True)
                .first()
            )
            if record_id is not None:
                return Ticket.objects.filter(pk=record_id).first()
        received = (
            InboundMessage.objects.filter(message_id=message_id, ticket__isnull=False)
            .select_related("ticket")
            .first()
        )
        if received is not None:
            return received.ticket
    return None


def ticket_by_number(*, number: str) -> Ticket | None:
    return Ticket.objects.filter(number=number).first() if number else None


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email, is_active=True).first() if email else None


def ticket_has_watcher(*, ticket: Ticket, user: User) -> bool:
    return ticket.watchers.filter(pk=user.pk).exists()


def inbound_message_list(*, mailbox: Mailbox) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(mailbox=mailbox).select_related("ticket")


# --- The desk's mailbox pages ---


def mailbox_list() -> QuerySet[Mailbox]:
    return Mailbox.objects.select_related("default_team").order_by("name")


def mailbox_refusals(*, mailbox: Mailbox, limit: int = 50) -> list[InboundMessage]:
    """The last refused messages (unreadable MIME, too big, too many attachments, …)."""
    return list(
        InboundMessage.objects.filter(mailbox=mailbox, outcome=InboundOutcome.REFUSED)
        .only("received_at", "sender", "subject", "size", "reason", "mailbox_id")
        .order_by("-received_at", "-id")[:limit]
    )


def mailbox_recent(*, mailbox: Mailbox, limit: int = 20) -> list[InboundMessage]:
    return list(
        InboundMessage.objects.filter(mailbox=mailbox)
        .select_related("ticket")
        .order_by("-received_at", "-id")[:limit]
    )


def mailbox_for_addresses(*, addresses: list[str]) -> Mailbox | None:
    """The active mailbox a message was sent to (plus parts ignored: help+INC…@ is help@)."""
    plain = {re.sub(r"\+[^@]*@", "@", a.strip().lower()) for a in addresses if a}
    if not plain:
        return None
    return (
        Mailbox.objects.filter(is_active=True, address__in=plain)
        .select_related("default_team", "default_service", "default_category")
        .order_by("pk")
        .first()
    )


def mailbox_ids_idling() -> list[int]:
    """Active mailboxes set to use IMAP IDLE."""
    return list(
        Mailbox.objects.filter(is_active=True, use_idle=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
