from django.contrib.contenttypes.models import ContentType
from django.db import models

from itsm.audit.models import AuditEvent
from itsm.core.compiled import compiled_once


def audit_list_for_record(*, record: models.Model) -> list[AuditEvent]:
    """The timeline of one record, oldest first, with the actor joined in."""
    record_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    return _events_of(record_type.pk, record.pk)


@compiled_once
def _events_of(record_type_id: int, record_id: int) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        record_type_id=record_type_id, record_id=record_id
    ).select_related("actor")


def audit_list_since_version(*, record: models.Model, version: int) -> list[AuditEvent]:
    """Events that moved a versioned record past `version`: "here is what changed since you
    opened it". Services record each version step in the event's changes."""
    return [
        event
        for event in audit_list_for_record(record=record)
        if isinstance(event.changes.get("version"), dict)
        and (event.changes["version"].get("to") or 0) > version
    ]
