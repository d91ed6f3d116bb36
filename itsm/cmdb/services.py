"""Writes to the CMDB, each audited."""

from typing import Any

from django.db import transaction

from itsm.audit.services import audit_record, field_changes
from itsm.cmdb.models import ConfigurationItem, Service

SERVICE_FIELDS = (
    "name",
    "kind",
    "description",
    "owner",
    "support_team",
    "criticality",
    "is_active",
)
CI_FIELDS = ("name", "ci_type", "service", "status", "owner", "description")


@transaction.atomic
def service_create(*, actor: Any, **fields: Any) -> Service:
    """Register a service; writes a `created` audit event."""
    service = Service(**{k: v for k, v in fields.items() if k in SERVICE_FIELDS})
    service.full_clean()
    service.save()
    audit_record(record=service, actor=actor, action="created")
    return service


@transaction.atomic
def service_update(*, service: Service, actor: Any, **fields: Any) -> Service:
    """Change a service's fields; the audit event lists each field's from → to."""
    before = {name: getattr(service, name) for name in SERVICE_FIELDS}
    for name, value in fields.items():
        if name in SERVICE_FIELDS:
            setattr(service, name, value)
    service.full_clean()
    service.save()
    after = {name: getattr(service, name) for name in SERVICE_FIELDS}
    if changes := field_changes(before, after):
        audit_record(record=service, actor=actor, action="updated", changes=changes)
    return service


@transaction.atomic
def ci_create(*, actor: Any, **fields: Any) -> ConfigurationItem:
    """Register a configuration item; writes a `created` audit event."""
    ci = ConfigurationItem(**{k: v for k, v in fields.items() if k in CI_FIELDS})
    ci.full_clean()
    ci.save()
    audit_record(record=ci, actor=actor, action="created")
    return ci


@transaction.atomic
def ci_update(*, ci: ConfigurationItem, actor: Any, **fields: Any) -> ConfigurationItem:
    """Change a configuration item's fields; audited field by field."""
    before = {name: getattr(ci, name) for name in CI_FIELDS}
    for name, value in fields.items():
        if name in CI_FIELDS:
            setattr(ci, name, value)
    ci.full_clean()
    ci.save()
    after = {name: getattr(ci, name) for name in CI_FIELDS}
    if changes := field_changes(before, after):
        audit_record(record=ci, actor=actor, action="updated", changes=changes)
    return ci
