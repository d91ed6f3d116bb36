import pytest
from django.db import DatabaseError, transaction
from django.utils.html import strip_tags

from itsm.audit.models import AuditEvent
from itsm.audit.selectors import audit_list_for_record
from itsm.audit.services import audit_record, field_changes
from itsm.cmdb.services import service_update
from tests.factories.cmdb import ServiceFactory


def test_field_changes_lists_only_what_differs():
    assert field_changes({"a": 1, "b": "x"}, {"a": 2, "b": "x"}) == {"a": {"from": 1, "to": 2}}


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(agent):
    service = ServiceFactory()
    event = audit_record(record=service, actor=agent, action="created")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "created"


@pytest.mark.django_db
def test_service_update_records_who_changed_what_from_and_to(manager):
    service = ServiceFactory(criticality="low")
    service_update(service=service, actor=manager, criticality="critical")
    (event,) = audit_list_for_record(record=service)
    assert event.actor == manager
    assert event.action == "updated"
    assert event.changes == {"criticality": {"from": "low", "to": "critical"}}


@pytest.mark.django_db
def test_timeline_partial_renders_changes(client_as, agent, manager):
    service = ServiceFactory(criticality="low")
    service_update(service=service, actor=manager, criticality="high")
    html = client_as(agent).get(service.get_absolute_url()).content.decode()
    history = " ".join(strip_tags(html[html.index('aria-label="History"') :]).split())
    assert "Updated" in history
    assert "Criticality: Low → High" in history
