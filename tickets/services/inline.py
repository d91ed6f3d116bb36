"""Images pasted or dropped into an editor (a reply, a work note, a description).

The editor uploads the image at once, through the same checks as every attachment
(`check_upload`: size, type read from the bytes, SVG and programs refused), and inserts
Markdown image syntax pointing at our download URL. Until the text is sent the image is
pending: only its uploader and the desk can open it, and it lists nowhere. Sending the
text claims the pending images it shows: they join that reply (with its visibility) or,
for a description, the report.
"""

import re
from typing import Any

from django.db import transaction

from itsm.accounts.models import User
from itsm.audit.services import audit_record
from itsm.core.exceptions import PermissionRefused, TransitionNotAllowed
from itsm.core.permissions import actor_may
from tickets import permissions as may
from tickets.attachments import check_upload, stored_name_for
from tickets.choices import TicketStatus
from tickets.exceptions import AttachmentRefused
from tickets.models import Attachment, Comment, Ticket

# The editor inserts ![name](/attachments/<id>/), the URL of tickets:attachment-download.
_IMAGE_URL = re.compile(r"\]\(/attachments/(\d+)/\)")


@transaction.atomic
def attachment_upload_inline(*, ticket: Ticket, uploader: User, upload: Any) -> Attachment:
    """Store one pasted image on `ticket`, pending until the text showing it is sent.

    The uploader must be able to write on the ticket (the desk, or its requester or a
    watcher); only raster images are taken (never SVG: an image that can hold script)."""
    if not actor_may(uploader, may.COMMENT) and not (
        ticket.requester_id == uploader.pk or ticket.watchers.filter(pk=uploader.pk).exists()
    ):
        raise PermissionRefused("You cannot add images to this ticket.")
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise TransitionNotAllowed("This ticket is closed.", field="attachments")
    content_type = check_upload(upload)
    if content_type not in Attachment.PREVIEW_TYPES:
        raise AttachmentRefused(
            f"“{upload.name}” is not a PNG, JPEG, GIF or WebP image; attach other files "
            "with the file field.",
            field="attachments",
        )
    stored = stored_name_for(upload.name)
    attachment = Attachment(
        ticket=ticket,
        stored_name=stored,
        original_name=(upload.name or "image")[:255],
        content_type=content_type,
        size=upload.size,
        uploaded_by=uploader,
        is_pending_inline=True,
    )
    attachment.file.save(stored, upload, save=False)
    attachment.save()
    audit_record(
        record=ticket,
        actor=uploader,
        action="inline_image_uploaded",
        message=f"Image “{attachment.original_name}” pasted into the editor.",
    )
    return attachment


def inline_images_claim(
    *, ticket: Ticket, author: User, text: str, comment: Comment | None = None
) -> int:
    """Attach the author's pending images that `text` shows to `comment` (or to the report
    when None). Call inside the service that saves the text. Returns how many."""
    ids = {int(m) for m in _IMAGE_URL.findall(text or "")}
    if not ids:
        return 0
    return Attachment.objects.filter(
        pk__in=ids, ticket=ticket, uploaded_by=author, is_pending_inline=True
    ).update(comment=comment, is_pending_inline=False)
