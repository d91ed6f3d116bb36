"""Writes to the CMDB, each audited."""

from typing import Any

from django.db import transaction

from itsm.audit.services import audit_record, field_changes
from itsm.cmdb.choices import RelationKind
from itsm.cmdb.models import CiRelation, ConfigurationItem, Service
from itsm.core.exceptions import DomainError, PermissionRefused
from itsm.core.locking import lock_for_update

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


def _require(actor: Any, permission: str, refusal: str) -> None:
    """`actor` None is the system itself (demo data, migrations): it may do everything."""
    if actor is not None and not actor.has_perm(permission):
        raise PermissionRefused(refusal)


@transaction.atomic
def service_create(*, actor: Any, **fields: Any) -> Service:
    """Register a service; writes a `created` audit event. Needs `cmdb.add_service`."""
    _require(actor, "cmdb.add_service", "You may not register services.")
    service = Service(**{k: v for k, v in fields.items() if k in SERVICE_FIELDS})
    service.full_clean()
    service.save()
    audit_record(record=service, actor=actor, action="created")
    return service


@transaction.atomic
def service_update(*, service: Service, actor: Any, **fields: Any) -> Service:
    """Change a service's fields; the audit event lists each field's from → to. Needs
    `cmdb.change_service`."""
    _require(actor, "cmdb.change_service", "You may not edit services.")
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
    """Register a configuration item; writes a `created` audit event. Needs
    `cmdb.add_configurationitem` (service desk managers and administrators)."""
    _require(actor, "cmdb.add_configurationitem", "You may not register configuration items.")
    ci = ConfigurationItem(**{k: v for k, v in fields.items() if k in CI_FIELDS})
    ci.full_clean()
    ci.save()
    audit_record(record=ci, actor=actor, action="created")
    return ci


@transaction.atomic
def ci_update(
    *, ci: ConfigurationItem, actor: Any, expected_version: int | None = None, **fields: Any
) -> ConfigurationItem:
    """Change a configuration item's fields; audited field by field. Needs
    `cmdb.change_configurationitem`; a stale `expected_version` is refused (409)."""
    _require(actor, "cmdb.change_configurationitem", "You may not edit configuration items.")
    ci = lock_for_update(
        ConfigurationItem.objects.all(), pk=ci.pk, expected_version=expected_version
    )
    before = {name: getattr(ci, name) for name in CI_FIELDS}
    for name, value in fields.items():
        if name in CI_FIELDS:
            setattr(ci, name, value)
    ci.full_clean()
    after = {name: getattr(ci, name) for name in CI_FIELDS}
    if changes := field_changes(before, after):
        ci.version += 1
        ci.save()
        audit_record(record=ci, actor=actor, action="updated", changes=changes)
    return ci


@transaction.atomic
def ci_relation_add(
    *, actor: Any, source: ConfigurationItem, target: ConfigurationItem, kind: str
) -> CiRelation:
    """Record "source <kind> target"; audited on both CIs. Needs `cmdb.add_cirelation`."""
    _require(actor, "cmdb.add_cirelation", "You may not change the relations of CIs.")
    if kind not in RelationKind.values:
        raise DomainError("Choose how the two CIs are related.", field="kind")
    if source.pk == target.pk:
        raise DomainError("A configuration item cannot be related to itself.", field="target")
    if CiRelation.objects.filter(source=source, target=target, kind=kind).exists():
        raise DomainError(f"{source} already {RelationKind(kind).label} {target}.", field="target")
    relation = CiRelation.objects.create(
        source=source, target=target, kind=kind, created_by=actor if actor else None
    )
    _audit_relation(relation, actor=actor, action="relation_added", verb="Added")
    return relation


@transaction.atomic
def ci_relation_remove(*, actor: Any, relation: CiRelation) -> None:
    """Remove a relation; audited on both CIs. Needs `cmdb.delete_cirelation`."""
    _require(actor, "cmdb.delete_cirelation", "You may not change the relations of CIs.")
    _audit_relation(relation, actor=actor, action="relation_removed", verb="Removed")
    relation.delete()


def _audit_relation(relation: CiRelation, *, actor: Any, action: str, verb: str) -> None:
    message = f"{verb}: {relation.source} {relation.get_kind_display()} {relation.target}."
    for ci in (relation.source, relation.target):
        audit_record(record=ci, actor=actor, action=action, message=message)
