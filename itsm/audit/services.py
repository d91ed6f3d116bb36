"""The one way audit events are written. Every service that changes a record calls it."""

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from itsm.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{"field": {"from": …, "to": …}} for the fields whose value differs."""
    return {
        name: {"from": _plain(before.get(name)), "to": _plain(after.get(name))}
        for name in after
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def audit_record(
    *,
    record: models.Model,
    actor: Any,
    action: str,
    changes: Mapping[str, dict[str, Any]] | None = None,
    message: str = "",
) -> AuditEvent:
    """Append an audit event for `record`. Call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        record_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        record_id=record.pk,
        record_label=getattr(record, "number", "") or str(record)[:100],
        action=action,
        changes=dict(changes or {}),
        message=message,
    )
