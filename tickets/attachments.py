"""Checks on uploaded files before they are stored.

The type is read from the file's first bytes (`filetype`, a maintained signature library), not
trusted from its name or the browser's Content-Type: a program renamed `invoice.pdf` is refused.

Extension point: set ITSM_ATTACHMENT_SCANNER to the dotted path of a callable taking the
uploaded file; it raises `tickets.exceptions.AttachmentRefused` for a file it rejects (for
example after asking ClamAV). The default accepts everything the size and type rules allow.
"""

import uuid
from pathlib import PurePath

import filetype
from django.conf import settings
from django.utils.module_loading import import_string

from tickets.exceptions import AttachmentRefused

# Types a browser could run or render as a page are stored but always served as downloads;
# these are refused outright because no service desk needs them.
ALWAYS_REFUSED = {".exe", ".bat", ".cmd", ".js", ".vbs", ".ps1", ".html", ".htm", ".svg", ".msi"}
# Contents refused whatever the name says: programs and installers.
PROGRAMS = {"exe", "elf", "deb", "rpm", "crx", "swf", "wasm"}
# What the bytes of each known binary format are detected as. Office files are zip
# containers; `filetype` names them when it recognises the inner layout, else "zip".
SIGNATURES = {
    ".pdf": {"pdf"},
    ".png": {"png"},
    ".jpg": {"jpg"},
    ".jpeg": {"jpg"},
    ".gif": {"gif"},
    ".zip": {"zip"},
    ".docx": {"docx", "zip"},
    ".xlsx": {"xlsx", "zip"},
}
# Plain text has no signature: it is text when no binary format is detected and it holds no
# NUL byte.
TEXT_EXTENSIONS = {".txt", ".log", ".csv"}
SNIFF_BYTES = 8192  # as many as filetype reads


def safe_extension(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def check_upload(upload) -> str:
    """Refuse what may not be stored; return the content type read from the bytes."""
    name = upload.name or "file"
    extension = safe_extension(name)
    allowed = {e.lower() for e in settings.ITSM_ATTACHMENT_ALLOWED_TYPES}
    if extension in ALWAYS_REFUSED or extension not in allowed:
        raise AttachmentRefused(
            f"“{name}” is a {extension or 'file without extension'}; allowed types are "
            f"{', '.join(sorted(allowed))}.",
            field="attachments",
        )
    limit = settings.ITSM_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise AttachmentRefused(
            f"“{name}” is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB per file.",
            field="attachments",
        )
    content_type = _content_type(upload, name, extension)
    scanner_path = getattr(settings, "ITSM_ATTACHMENT_SCANNER", "")
    if scanner_path:
        import_string(scanner_path)(upload)
    return content_type


def _content_type(upload, name: str, extension: str) -> str:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head) if head else None
    detected = kind.extension if kind else None
    mime = kind.mime if kind else "unknown"
    if detected in PROGRAMS:
        raise AttachmentRefused(
            f"“{name}” is a program ({mime}), whatever its name says; programs cannot be attached.",
            field="attachments",
        )
    expected = SIGNATURES.get(extension)
    if expected is not None and detected not in expected:
        found = f"a {kind.mime} file" if kind else "not a file of that type"
        raise AttachmentRefused(
            f"“{name}” is named {extension} but its content is {found}. Attach the file "
            "itself, or rename it to what it is.",
            field="attachments",
        )
    if extension in TEXT_EXTENSIONS:
        if kind is not None or b"\x00" in head:
            found = f"a {kind.mime} file" if kind else "binary data"
            raise AttachmentRefused(
                f"“{name}” is named {extension} but its content is {found}, not text.",
                field="attachments",
            )
        return "text/plain"
    if expected is None and detected is not None and detected != extension.lstrip("."):
        raise AttachmentRefused(
            f"“{name}” is named {extension} but its content is a {mime} file.",
            field="attachments",
        )
    return kind.mime if kind else "application/octet-stream"


def stored_name_for(filename: str) -> str:
    """A random name with the original's (checked) extension: no path tricks, no clashes."""
    return f"{uuid.uuid4().hex}{safe_extension(filename)}"
