from django.conf import settings
from django.db import models

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from releases.choices import ReleaseStatus


class Release(NumberedModel, TimeStampedModel, VersionedModel):
    """A bundle of changes built, tested and deployed together, with a service-desk support plan."""

    NUMBER_PREFIX = "RLS"
    NUMBER_SEQUENCE = "releases_release_number_seq"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.PLANNING
    )
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
