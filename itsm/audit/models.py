"""The append-only audit trail every process record's timeline is built from."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing that happened to a record: who, when, what, and each field's from → to.

    Append-only: a database trigger (migration 0002) refuses UPDATE and DELETE, so not even a
    bug or a careless admin can rewrite history. Records are referenced by content type and
    id (plus the human number, so the event still reads well if the record is gone).
    """

    occurred_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    record_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    record_id = models.BigIntegerField()
    record_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=50)
    changes = models.JSONField(
        default=dict, blank=True, help_text='{"field": {"from": old, "to": new}}'
    )
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["record_type", "record_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.record_label or self.record_id}: {self.action}"
