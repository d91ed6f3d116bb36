from django.contrib.contenttypes.models import ContentType
from django.db import models

from itsm.audit.models import AuditEvent


def audit_list_for_record(*, record: models.Model) -> models.QuerySet[AuditEvent]:
    """The timeline of one record, oldest first, with the actor joined in."""
    return AuditEvent.objects.filter(
        record_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        record_id=record.pk,
    ).select_related("actor")
