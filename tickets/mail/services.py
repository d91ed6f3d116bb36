"""Writes of the e-mail channel: reading a mailbox, and turning one message into a ticket,
a reply, a note for the desk, or a recorded refusal — exactly once.

Every ticket and comment is written by the ticket services (`ticket_create`, `comment_add`),
so mail gets the same checks, audit, SLA clocks, reopening and notifications as the portal.
What is new here is the ledger (`InboundMessage`), written in the same transaction.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from itsm.accounts.models import User
from itsm.accounts.services import requester_ensure
from itsm.audit.services import audit_record
from itsm.core.exceptions import DomainError
from itsm.core.permissions import actor_may, require_permission
from itsm.notifications.services import notification_create_to_address
from tickets import permissions as may
from tickets import services as ticket_services
from tickets.attachments import check_upload
from tickets.choices import Channel, TicketStatus
from tickets.exceptions import AttachmentRefused
from tickets.mail import selectors
from tickets.mail.choices import (
    InboundOutcome,
    MailboxState,
    MailSecurity,
    ProcessedAction,
    UnknownSenders,
)
from tickets.mail.models import InboundMessage, Mailbox
from tickets.mail.parsing import (
    MailPart,
    ParsedMail,
    UnreadableMail,
    content_hash,
    parse_mail,
)
from tickets.models import Ticket

logger = logging.getLogger(__name__)

# pg_try_advisory_lock(class, mailbox id): one poll per mailbox at a time, across workers.
MAILBOX_LOCK_CLASS = 17017
BACKOFF_CAP = timedelta(hours=1)
# What a broken connection, login or server raises; anything else is a bug.
MAILBOX_ERRORS = (IMAPClientError, OSError, ssl.SSLError)
CLOSED = (TicketStatus.CLOSED, TicketStatus.CANCELLED)


@dataclass
class PollCache:
    """What one poll reads once instead of per message: our own addresses (the loop check)
    and the senders' accounts already in the database (with their permissions, cached on
    the user object by Django). Accounts created during the poll are not kept: their
    message's transaction could still be rolled back."""

    own_addresses: frozenset[str]
    users: dict[str, User] = field(default_factory=dict)

    @classmethod
    def read(cls) -> PollCache:
        return cls(own_addresses=frozenset(selectors.own_addresses()))


@dataclass
class PollResult:
    locked_out: bool = False
    processed: int = 0
    failed: int = 0
    error: str = ""


# --- One message ---


def mail_process(
    *,
    mailbox: Mailbox | None,
    raw: bytes,
    cache: PollCache | None = None,
    digest: str = "",
) -> InboundMessage:
    """Turn one raw message into what it is, once: a second call with the same bytes (or
    the same message from another mailbox) returns the first record and writes nothing.

    `cache` is read once per poll by the caller (our addresses, known senders); without
    it, it is read here. `digest` replaces the hash of `raw` when the
    bytes are rebuilt for each delivery (a provider's webhook: new MIME boundaries each time).

    The ledger row is inserted first, in the transaction that writes the ticket or
    comment: a concurrent second insert waits on the unique constraint and then fails,
    so two workers never both write. A refusal by the ticket services (a closed ticket, a
    text too long, no permission) is recorded as refused; anything else (the database
    went away) rolls everything back and raises, so the caller leaves the mail on the server.
    """
    digest = digest or content_hash(raw)
    try:
        # Past the size limit only the headers are read: enough to record the refusal.
        parsed: ParsedMail | None = parse_mail(
            raw, headers_only=len(raw) > settings.ITSM_MAIL_MAX_BYTES
        )
        unreadable = ""
    except UnreadableMail as exc:
        parsed, unreadable = None, str(exc)
    message_id = parsed.message_id[:998] if parsed else ""
    if cache is None:
        cache = PollCache.read()
    # No look-up first: the insert itself finds a message seen before (the unique key), so
    # a new message (nearly all of them) costs no extra query.
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                mailbox=mailbox,
                message_id=message_id,
                content_hash=digest,
                sender=parsed.sender_address[:320] if parsed else "",
                subject=parsed.subject[:998] if parsed else "",
                size=len(raw),
                outcome=InboundOutcome.REFUSED,
            )
            if parsed is None:
                _refuse(record, f"It is not an e-mail that can be read: {unreadable}")
            else:
                _handle(record, parsed, raw, mailbox, cache)
            record.save()
    except IntegrityError:
        if existing := selectors.inbound_message_find(message_id=message_id, digest=digest):
            return existing
        raise
    return record


def _handle(
    record: InboundMessage,
    parsed: ParsedMail,
    raw: bytes,
    mailbox: Mailbox | None,
    cache: PollCache,
) -> None:
    limit = settings.ITSM_MAIL_MAX_BYTES
    if len(raw) > limit:
        _refuse(
            record,
            f"The message is {len(raw) / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB. Ask the sender for a link or smaller files.",
        )
        return
    if parsed.sender_address in cache.own_addresses:
        _ignore(record, "It came from one of our own addresses (a mail loop).")
        return
    if parsed.noise:
        _ignore(record, f"Automatic mail ({parsed.noise}): no ticket and no answer.")
        return
    per_hour = settings.ITSM_MAIL_SENDER_LIMIT_PER_HOUR
    # The count includes this message's own row.
    if selectors.inbound_messages_from_sender_since(sender=parsed.sender_address) > per_hour:
        _ignore(
            record,
            f"{parsed.sender_address} sent more than {per_hour} messages in the last hour "
            "(rate limit).",
        )
        return
    if len(parsed.parts) > settings.ITSM_MAIL_MAX_ATTACHMENTS:
        _refuse(
            record,
            f"The message has {len(parsed.parts):,} attachments; the limit is "
            f"{settings.ITSM_MAIL_MAX_ATTACHMENTS}.",
        )
        return
    ticket = (
        selectors.ticket_for_thread(message_ids=parsed.thread_ids)
        or selectors.ticket_by_number(number=parsed.subject_ticket_number)
        or selectors.ticket_by_number(number=parsed.plus_ticket_number)
    )
    author = _author(record, parsed, mailbox, cache)
    if author is None:
        return
    files, notes = _checked_files(parsed.parts)
    try:
        # A savepoint: a refusal by the ticket services undoes their writes, not the ledger.
        with transaction.atomic():
            if ticket is not None and ticket.status not in CLOSED:
                _reply(record, ticket, author, parsed, files, notes)
            else:
                ticket = _new_ticket(record, author, parsed, files, notes, mailbox, follows=ticket)
            ticket_services.ticket_attach_source_message(
                ticket=ticket, comment=record.comment, raw=raw, uploader=author
            )
    except DomainError as exc:
        record.ticket = record.comment = None
        _refuse(record, exc.message)


def _author(
    record: InboundMessage, parsed: ParsedMail, mailbox: Mailbox | None, cache: PollCache
) -> User | None:
    """The sender's account; for an unknown sender one is created, or they get a polite
    refusal, as the mailbox says."""
    author = cache.users.get(parsed.sender_address)
    if author is None:
        author = selectors.user_by_email(email=parsed.sender_address)
    if author is not None:
        cache.users[parsed.sender_address] = author
        return author
    if mailbox is not None and mailbox.unknown_senders == UnknownSenders.REFUSE:
        _refuse(record, f"{parsed.sender_address} has no account, and this mailbox refuses them.")
        notification_create_to_address(
            event="mail_refused",
            address=parsed.sender_address,
            context={
                "title": f"We could not take your message: {parsed.subject or '(no subject)'}",
                "message": "This service desk only takes e-mail from people who have an "
                "account. Please ask your administrator for one, or use the portal.",
                "url": settings.SITE_URL,
            },
        )
        return None
    return requester_ensure(
        email=parsed.sender_address,
        display_name=parsed.sender_name or parsed.sender_address.partition("@")[0],
    )


def _reply(
    record: InboundMessage,
    ticket: Ticket,
    author: User,
    parsed: ParsedMail,
    files: list[ContentFile[bytes]],
    notes: list[str],
) -> None:
    """A requester's or watcher's reply is public (and reopens within the window, like a
    portal reply); anyone else's is held as a note for the desk."""
    on_ticket = (
        author.pk == ticket.requester_id
        or selectors.ticket_has_watcher(ticket=ticket, user=author)
        or actor_may(author, may.COMMENT)
    )
    body = _with_notes(parsed.reply_text, notes) or _empty_body(files)
    record.comment = ticket_services.comment_add(
        ticket=ticket,
        author=author,
        body=_fit(body, settings.ITSM_COMMENT_MAX_CHARS),
        is_public=on_ticket,
        files=files,
        held_for_desk=not on_ticket,
    )
    record.ticket = ticket
    record.outcome = InboundOutcome.COMMENT if on_ticket else InboundOutcome.HELD
    record.reason = (
        f"Reply on {ticket.number}."
        if on_ticket
        else f"{author.email} is not on {ticket.number}: kept as a note for the desk."
    )


def _new_ticket(
    record: InboundMessage,
    author: User,
    parsed: ParsedMail,
    files: list[ContentFile[bytes]],
    notes: list[str],
    mailbox: Mailbox | None,
    *,
    follows: Ticket | None,
) -> Ticket:
    text = _with_notes(parsed.text, notes)
    if follows is not None:
        text = f"Follow-up to {follows.number}, which is already closed.\n\n{text}"
    ticket = ticket_services.ticket_create(
        actor=author,
        requester=author,
        short_description=(parsed.subject or "(no subject)")[:200],
        description=_fit(text, settings.ITSM_DESCRIPTION_MAX_CHARS),
        channel=Channel.EMAIL,
        category=mailbox.default_category if mailbox else None,
        service=mailbox.default_service if mailbox else None,
        assignment_team=mailbox.default_team if mailbox else None,
        files=files,
    )
    record.ticket = ticket
    record.outcome = InboundOutcome.TICKET
    record.reason = f"New ticket {ticket.number}."
    return ticket


def _checked_files(parts: list[MailPart]) -> tuple[list[ContentFile[bytes]], list[str]]:
    """The parts the upload rules accept, and a note for each one they refuse (the message
    itself still becomes a ticket: one bad file should not lose the text)."""
    files: list[ContentFile[bytes]] = []
    notes: list[str] = []
    for part in parts:
        upload = ContentFile(part.content, name=part.filename)
        try:
            check_upload(upload)
        except AttachmentRefused as exc:
            notes.append(f"Not attached: {exc.message}")
            continue
        files.append(upload)
    return files, notes


def _with_notes(text: str, notes: list[str]) -> str:
    return "\n\n".join(part for part in (text.strip(), *notes) if part)


def _empty_body(files: list[ContentFile[bytes]]) -> str:
    return "(Attachments only.)" if files else "(The e-mail had no text.)"


def _fit(text: str, limit: int) -> str:
    """Cut a text longer than the services take; the whole message stays attached."""
    if len(text) <= limit:
        return text
    note = "\n\n[Cut here: the whole message is attached as original-message.eml.]"
    return text[: limit - len(note)] + note


def _refuse(record: InboundMessage, reason: str) -> None:
    record.outcome = InboundOutcome.REFUSED
    record.reason = reason


def _ignore(record: InboundMessage, reason: str) -> None:
    record.outcome = InboundOutcome.IGNORED
    record.reason = reason


# --- Configuring a mailbox ---

CONFIGURE_MAILBOXES = "tickets.configure_mailbox"
# Never written into the audit trail: only that they changed.
SECRET_FIELDS = frozenset({"password", "oauth2_token"})


def mailbox_save(*, actor: User, mailbox: Mailbox, changed: list[str]) -> Mailbox:
    """Create or update a mailbox from a validated form (`changed`: the fields it changed).
    Administrators only ("may configure mailboxes"). A changed server setting clears the
    failing state's schedule, so the next poll tries the new settings at once."""
    creating = mailbox.pk is None
    require_permission(
        actor, CONFIGURE_MAILBOXES, refusal="Only administrators may configure mailboxes."
    )
    with transaction.atomic():
        if not creating and changed:
            mailbox.next_poll_at = timezone.now()
        mailbox.full_clean()
        mailbox.save()
        audit_record(
            record=mailbox,
            actor=actor,
            action="created" if creating else "updated",
            changes={
                name: {"to": "(changed)" if name in SECRET_FIELDS else str(getattr(mailbox, name))}
                for name in changed
            },
        )
    return mailbox


# --- A mailbox ---


def mailbox_poll(*, mailbox_id: int) -> PollResult:
    """Read a mailbox once: every new message processed, then moved or flagged.

    One poll per mailbox at a time (an advisory lock: a second worker returns at once). A
    message whose processing fails stays on the server untouched, and the next poll tries
    it again; a mailbox that cannot be reached is marked failing and polled less often.
    """
    with _mailbox_lock(mailbox_id) as locked:
        if not locked:
            return PollResult(locked_out=True)
        mailbox = selectors.mailbox_get(mailbox_id=mailbox_id)
        result = PollResult()
        try:
            with _connected(mailbox) as client:
                _poll_folder(client, mailbox, result)
        except MAILBOX_ERRORS as exc:
            result.error = f"{type(exc).__name__}: {exc}"
            _mailbox_failed(mailbox, result.error)
            return result
        _mailbox_succeeded(mailbox, result)
        return result


@contextmanager
def _mailbox_lock(mailbox_id: int) -> Iterator[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [MAILBOX_LOCK_CLASS, mailbox_id])
        locked = bool(cursor.fetchone()[0])
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [MAILBOX_LOCK_CLASS, mailbox_id]
                )


def mailbox_ssl_context() -> ssl.SSLContext:
    """Certificates are verified; ITSM_MAIL_CA_FILE adds a private CA (or a test's own)."""
    return ssl.create_default_context(cafile=settings.ITSM_MAIL_CA_FILE or None)


@contextmanager
def _connected(mailbox: Mailbox) -> Iterator[IMAPClient]:
    context = mailbox_ssl_context()
    client = IMAPClient(
        mailbox.host,
        port=mailbox.port,
        ssl=mailbox.security == MailSecurity.IMAPS,
        ssl_context=context,
        timeout=settings.ITSM_MAIL_TIMEOUT_SECONDS,
    )
    try:
        if mailbox.security == MailSecurity.STARTTLS:
            client.starttls(ssl_context=context)
        if mailbox.oauth2_token:
            client.oauth2_login(mailbox.username, mailbox.oauth2_token)
        else:
            client.login(mailbox.username, mailbox.password)
        yield client
    except BaseException:
        # The socket may be half-open; closing it must not hide the error that broke it.
        with suppress(*MAILBOX_ERRORS):
            client.shutdown()
        raise
    with suppress(*MAILBOX_ERRORS):
        client.logout()


# One FETCH and one MOVE per chunk instead of per message (the round trips were a sixth of
# the time), with chunks small enough that a few large messages never fill the memory.
CHUNK_MESSAGES = 25
CHUNK_BYTES = 32 * 1024 * 1024


def _poll_folder(client: IMAPClient, mailbox: Mailbox, result: PollResult) -> None:
    moving = mailbox.processed_action == ProcessedAction.MOVE
    if moving and not client.folder_exists(mailbox.processed_folder):
        client.create_folder(mailbox.processed_folder)
    client.select_folder(mailbox.folder)
    uids = sorted(client.search(["ALL"] if moving else ["UNSEEN"]))[: settings.ITSM_MAIL_BATCH]
    sizes = client.fetch(uids, ["RFC822.SIZE"]) if uids else {}
    cache = PollCache.read()
    for chunk in _chunks(uids, sizes):
        done = []
        for uid, fetched in sorted(client.fetch(chunk, ["BODY.PEEK[]"]).items()):
            raw = fetched.get(b"BODY[]")
            if raw is None:
                continue  # expunged by someone else in the meantime
            try:
                mail_process(mailbox=mailbox, raw=bytes(raw), cache=cache)
            except Exception as exc:
                # Left on the server untouched, so nothing is lost; the next poll tries again.
                logger.exception("Mailbox %s: message %s could not be processed", mailbox.pk, uid)
                result.failed += 1
                result.error = f"{type(exc).__name__}: {exc}"
                continue
            done.append(uid)
        # Only after their records are committed: a crash before this line leaves them on
        # the server, and the next poll finds their records and only moves them.
        if done and moving:
            client.move(done, mailbox.processed_folder)
        elif done:
            client.add_flags(done, [b"\\Seen"])
        result.processed += len(done)


def _chunks(uids: list[int], sizes: dict[int, dict[bytes, int]]) -> Iterator[list[int]]:
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
        if chunk and (len(chunk) >= CHUNK_MESSAGES or total + size > CHUNK_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def _mailbox_failed(mailbox: Mailbox, error: str) -> None:
    failures = mailbox.failure_count + 1
    delay = min(
        timedelta(seconds=settings.ITSM_MAIL_POLL_SECONDS * 2 ** min(failures, 12)), BACKOFF_CAP
    )
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        state=MailboxState.FAILING,
        last_error=error[:2000],
        failure_count=failures,
        last_polled_at=now,
        next_poll_at=now + delay,
    )
    logger.warning("Mailbox %s is failing (%d): %s", mailbox.pk, failures, error)


def _mailbox_succeeded(mailbox: Mailbox, result: PollResult) -> None:
    now = timezone.now()
    error = ""
    if result.failed:
        error = (
            f"{result.failed} message(s) could not be processed and were left on the server "
            f"to try again: {result.error}"
        )
    Mailbox.objects.filter(pk=mailbox.pk).update(
        state=MailboxState.OK,
        last_error=error[:2000],
        failure_count=0,
        last_polled_at=now,
        last_success_at=now,
        next_poll_at=now + timedelta(seconds=settings.ITSM_MAIL_POLL_SECONDS),
    )


# --- Mail POSTed by a provider (django-anymail's inbound webhooks) ---


def mail_process_posted(*, raw: bytes, recipients: list[str], stable_key: bytes) -> InboundMessage:
    """A message a provider POSTed: into the mailbox it was addressed to (its defaults and
    unknown-sender rule), through `mail_process` like mail read by IMAP — the same ledger,
    threading, filters and limits. `stable_key` identifies the message across the
    provider's retries (its bytes are rebuilt each time)."""
    mailbox = selectors.mailbox_for_addresses(addresses=recipients)
    return mail_process(mailbox=mailbox, raw=raw, digest=content_hash(stable_key))


# --- IMAP IDLE: reading new mail the moment the server announces it ---

# RFC 2177: re-issue IDLE before 29 minutes, or servers drop the connection as inactive.
IDLE_RENEW = timedelta(minutes=10)
IDLE_CHECK_SECONDS = 1.0  # how often the loop looks at its stop flag
IDLE_RETRY_CAP = timedelta(minutes=5)


def mailbox_idle(
    *,
    mailbox_id: int,
    stop: threading.Event,
    on_new_mail: Callable[[int], object] | None = None,
) -> None:
    """Keep one IDLE connection on a mailbox's folder until `stop` is set, and call
    `on_new_mail(mailbox_id)` (by default a poll here) once at the start and whenever the
    server says EXISTS. Polling from beat goes on regardless: when the connection breaks or
    the server has no IDLE, this waits (longer after each failure) and tries again, and the
    mail is read by the polls meanwhile — IDLE only makes it sooner."""
    wake = on_new_mail or (lambda pk: mailbox_poll(mailbox_id=pk))
    failures = 0
    while not stop.is_set():
        try:
            mailbox = selectors.mailbox_get(mailbox_id=mailbox_id)
            if not (mailbox.is_active and mailbox.use_idle):
                return
            with _connected(mailbox) as client:
                if not client.has_capability("IDLE"):
                    logger.warning("Mailbox %s: the server has no IDLE; polling only", mailbox_id)
                    return
                client.select_folder(mailbox.folder, readonly=True)
                failures = 0
                wake(mailbox_id)  # what arrived while no one was idling
                _idle_until_stopped(client, mailbox_id, stop, wake)
        except MAILBOX_ERRORS as exc:
            failures += 1
            delay = min(timedelta(seconds=2**failures), IDLE_RETRY_CAP)
            logger.warning(
                "Mailbox %s: IDLE connection lost (%s); again in %ss",
                mailbox_id,
                exc,
                delay.total_seconds(),
            )
            stop.wait(delay.total_seconds())
        finally:
            connection.close()  # a long-lived thread must not keep a stale connection


def _idle_until_stopped(
    client: IMAPClient, mailbox_id: int, stop: threading.Event, wake: Callable[[int], object]
) -> None:
    while not stop.is_set():
        client.idle()
        renew_at = timezone.now() + IDLE_RENEW
        arrived = False
        try:
            while not stop.is_set() and not arrived and timezone.now() < renew_at:
                responses = client.idle_check(timeout=IDLE_CHECK_SECONDS)
                arrived = any(len(r) > 1 and r[1] == b"EXISTS" for r in responses)
        finally:
            client.idle_done()
        if arrived:
            wake(mailbox_id)
