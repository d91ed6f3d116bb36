"""Checks on uploaded files before they are stored.

Extension point: set ITSM_ATTACHMENT_SCANNER to the dotted path of a callable taking the
uploaded file; it raises `tickets.exceptions.AttachmentRefused` for a file it rejects (for
example after asking ClamAV). The default accepts everything the size and type rules allow.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.utils.module_loading import import_string

from tickets.exceptions import AttachmentRefused

# Types a browser could run or render as a page are stored but always served as downloads;
# these are refused outright because no service desk needs them.
ALWAYS_REFUSED = {".exe", ".bat", ".cmd", ".js", ".vbs", ".ps1", ".html", ".htm", ".svg", ".msi"}


def safe_extension(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def check_upload(upload) -> None:
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
    scanner_path = getattr(settings, "ITSM_ATTACHMENT_SCANNER", "")
    if scanner_path:
        import_string(scanner_path)(upload)


def stored_name_for(filename: str) -> str:
    """A random name with the original's (checked) extension: no path tricks, no clashes."""
    return f"{uuid.uuid4().hex}{safe_extension(filename)}"
