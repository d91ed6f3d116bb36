"""Reading one raw e-mail into what the desk needs: pure Python, no database, no writes.

The standard library's `email` package (policy.default) decodes RFC 2047 subjects and names
and RFC 2231 file names. Text is decoded by its declared charset, falling back to UTF-8 and
then Windows-1252 so a wrong or unknown charset never loses the message. When a message has
only HTML, it is sanitised with nh3 and turned into text with html2text. Quoted history and
signatures are cut from replies by mail-parser-reply; the full text is kept alongside.
"""

import hashlib
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import html2text
import nh3
from mailparser_reply import EmailReplyParser

# A ticket number in a subject, as our notifications write it: "[INC0001234]".
TICKET_NUMBER = re.compile(r"\[((?:INC|REQ)\d{7})\]")
# A per-ticket reply address (plus addressing): "help+INC0001234@example.com".
PLUS_NUMBER = re.compile(r"\+((?:INC|REQ)\d{7})@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Auto-Submitted values other than "no" mark automatic mail (RFC 3834).
NOISE_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
# Senders that only ever send bounces.
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl"]


class UnreadableMail(Exception):
    """The bytes are not an e-mail we can read; the message says why, for the admin page."""


@dataclass(frozen=True)
class MailPart:
    """A file that came with the message (an attachment or an inline image)."""

    filename: str
    content: bytes
    content_type: str
    content_id: str = ""


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    subject: str
    sender_name: str
    sender_address: str
    recipients: list[str]
    in_reply_to: list[str]
    references: list[str]
    text: str  # the whole body as text
    reply_text: str  # without quoted history and signature
    parts: list[MailPart] = field(default_factory=list)
    noise: str = ""  # why this is automatic mail, or "" for mail a person wrote

    @property
    def thread_ids(self) -> list[str]:
        """The Message-IDs this message answers, nearest first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))

    @property
    def plus_ticket_number(self) -> str:
        for address in self.recipients:
            if found := PLUS_NUMBER.search(address):
                return found.group(1).upper()
        return ""

    @property
    def subject_ticket_number(self) -> str:
        found = TICKET_NUMBER.search(self.subject)
        return found.group(1) if found else ""


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_mail(raw: bytes, *, headers_only: bool = False) -> ParsedMail:
    """Read `raw` (the bytes as fetched); raise UnreadableMail when it is not an e-mail.
    `headers_only` skips the body and files (for a message that will be refused anyway)."""
    if not raw.strip():
        raise UnreadableMail("The message is empty.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=headers_only)
        if not isinstance(message, EmailMessage) or not message.keys():
            raise UnreadableMail("The message has no headers.")
        sender_name, sender_address = _address(message, "From")
        body_part = None if headers_only else message.get_body(preferencelist=("plain", "html"))
        parts = [] if headers_only else _parts(message, body_part)
        images = {part.content_id: part.filename for part in parts if part.content_id}
        text = _body_text(body_part, images) if body_part is not None else ""
        own_ids = _ids(message.get("Message-ID", ""))
        return ParsedMail(
            message_id=own_ids[0] if own_ids else "",
            subject=" ".join(str(message.get("Subject", "")).split()),
            sender_name=sender_name,
            sender_address=sender_address,
            recipients=_recipients(message),
            in_reply_to=_ids(message.get("In-Reply-To", "")),
            references=_ids(message.get("References", "")),
            text=text,
            reply_text=reply_only(text),
            parts=parts,
            noise=noise_reason(message, sender_address),
        )
    except UnreadableMail:
        raise
    except (ValueError, TypeError, LookupError, AttributeError, IndexError) as exc:
        # The email package raises these for MIME it cannot take apart.
        raise UnreadableMail(f"The message's MIME structure cannot be read ({exc}).") from exc


def noise_reason(message: EmailMessage, sender_address: str) -> str:
    """Why the message is automatic (and so gets no ticket and no answer), or ""."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in NOISE_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get("X-Auto-Response-Suppress") is not None:
        return "X-Auto-Response-Suppress is set (automatic mail)"
    if message.get_content_type() == "multipart/report" or any(
        part.get_content_type() == "message/delivery-status" for part in message.walk()
    ):
        return "a delivery status notification (bounce)"
    if not sender_address or BOUNCE_SENDERS.match(sender_address):
        return "a bounce (no sender, or a mailer daemon)"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "a bounce (empty Return-Path)"
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return "an auto-reply"
    return ""


def reply_only(text: str) -> str:
    """The newest part of a reply, without the quoted history and the signature."""
    if not text.strip():
        return ""
    latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text)
    latest = (latest or "").strip()
    return latest or text.strip()


# <img src="cid:…">: an inline image of the message itself.
CID_IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?cid:([^"'\s>]+)[^>]*>""", re.IGNORECASE)


def html_to_text(html: str, images: dict[str, str] | None = None) -> str:
    """Sanitise first (scripts, styles and event handlers go), then render as plain text.
    An inline image (cid:) becomes "[image: its file name]" where it stood: the file itself
    is kept as an attachment and shown under the text on the ticket page."""
    images = images or {}

    def marker(found: re.Match[str]) -> str:
        name = images.get(found.group(1).strip("<>"), "")
        return f" [image: {name}] " if name else " [image] "

    cleaned = nh3.clean(CID_IMAGE.sub(marker, html), tags=nh3.ALLOWED_TAGS - {"img"})
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no hard wrapping: the desk wraps for display
    converter.ignore_images = True
    return converter.handle(cleaned).strip()


# --- Helpers ---


def _address(message: EmailMessage, header: str) -> tuple[str, str]:
    try:
        value = message.get(header)
    except (ValueError, IndexError):
        value = None
    if value is None:
        return "", ""
    name, address = parseaddr(str(value))
    return name.strip(), address.strip().lower()


def _recipients(message: EmailMessage) -> list[str]:
    values: list[str] = []
    for header in ("To", "Cc", "Delivered-To", "X-Original-To"):
        values += [str(v) for v in message.get_all(header, [])]
    return [address.lower() for _, address in getaddresses(values) if address]


def _ids(value: object) -> list[str]:
    return MESSAGE_ID.findall(str(value or ""))


def _decoded_text(payload: bytes, charset: str | None) -> str:
    """Decode by the declared charset; fall back to UTF-8, then Windows-1252 (never fails)."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")


def _payload_bytes(part: MIMEPart) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    return str(part.get_payload() or "").encode("utf-8", errors="replace")


def _body_text(part: MIMEPart, images: dict[str, str]) -> str:
    text = _decoded_text(_payload_bytes(part), part.get_content_charset())
    if part.get_content_subtype() == "html":
        text = html_to_text(text, images)
    return text.replace("\r\n", "\n").strip()


def _parts(message: EmailMessage, body_part: MIMEPart | None) -> list[MailPart]:
    """Every file in the message: attachments and inline images (cid:), not the body."""
    found: list[MailPart] = []
    for part in _leaves(message):
        if part is body_part:
            continue
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if disposition is None and content_type in ("text/plain", "text/html"):
            continue  # the other half of an alternative, or a plain body part
        if part is message and disposition != "attachment":
            continue
        if content_type == "message/delivery-status":
            continue
        content = _part_content(part)
        content_id = str(part.get("Content-ID", "")).strip().strip("<>")
        filename = part.get_filename() or _invented_name(content_type, len(found) + 1)
        found.append(
            MailPart(
                filename=_safe_filename(filename),
                content=content,
                content_type=content_type,
                content_id=content_id,
            )
        )
    return found


def _leaves(part: MIMEPart) -> Iterator[MIMEPart]:
    """The parts that are files or text; a forwarded message (message/rfc822) is one file,
    not opened up (its own parts are the forwarded mail's, not this one's)."""
    if part.get_content_type() == "message/rfc822":
        yield part
    elif part.is_multipart():
        for child in part.iter_parts():
            yield from _leaves(child)
    else:
        yield part


def _part_content(part: MIMEPart) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
            return inner[0].as_bytes(policy=policy.default)
    return _payload_bytes(part)


def _invented_name(content_type: str, index: int) -> str:
    if content_type == "message/rfc822":
        return f"forwarded-{index}.eml"
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{index}{extension}"


def _safe_filename(name: str) -> str:
    # Only the last path component, without control characters: a name is shown, never used
    # as a path (stored names are ours anyway).
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "attachment"
