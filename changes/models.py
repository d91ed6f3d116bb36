from django.conf import settings
from django.db import models

from changes.choices import ChangeRequestStatus
from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel


class ChangeRequest(NumberedModel, TimeStampedModel, VersionedModel):
    """A request for change (RFC): a planned modification to a service or configuration item."""

    NUMBER_PREFIX = "CHG"
    NUMBER_SEQUENCE = "changes_changerequest_number_seq"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.DRAFT
    )
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_changerequest", "Can approve or reject changes as a CAB member")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
