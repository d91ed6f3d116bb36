"""The one way audit events are written. Every service that changes a record calls it."""

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from itsm.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    """A JSON value that keeps the shape (lists stay lists, dicts dicts, moments ISO 8601),
    so itsm.audit.presentation can show it as a list, labelled lines or a local time."""
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
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
