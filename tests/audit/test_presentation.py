"""One rendering of history for every record type (itsm.audit.presentation)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from itsm.audit.models import AuditEvent
from itsm.audit.presentation import ShownValue, action_label, show_event, show_value
from itsm.audit.services import audit_record, field_changes
from itsm.cmdb.models import Service
from itsm.cmdb.services import service_update
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.models import Ticket
from tickets.services import ticket_set_priority

MOMENT = datetime(2026, 12, 2, 14, 5, 7, 38688, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("priority_overridden", "Overrode the priority"),
        ("major_declared", "Declared a major incident"),
        ("candidate_accepted", "Accepted the problem candidate"),
        ("something_new_happened", "Something new happened"),
    ],
)
def test_actions_read_as_words_not_run_together(action, label):
    assert action_label(action) == label


def test_lists_stay_lists_and_dicts_become_labelled_lines():
    assert show_value(["Dock", "Headset"]) == ShownValue(
        text="Dock, Headset", items=("Dock", "Headset")
    )
    shown = show_value({"criticality": "high", "failed_changes": 2})
    assert shown.pairs == (("Criticality", "High"), ("Failed changes on these CIs (90 days)", "2"))


def test_values_written_before_they_were_kept_as_json_read_back_as_lists_and_dicts():
    assert show_value("['Dock', 'Headset']").items == ("Dock", "Headset")
    assert show_value("{'criticality': 'low'}").pairs == (("Criticality", "Low"),)
    assert show_value("[WIP] not a list").text == "[WIP] not a list"


def test_booleans_moments_and_empty_values_read_as_words():
    assert show_value(True).text == "Yes"
    assert show_value(False).text == "No"
    assert show_value(None).text == "—"
    assert show_value("").text == "—"
    with timezone.override("Europe/Berlin"):
        assert show_value(MOMENT.isoformat()).text == "2 Dec 2026, 15:05"
        assert show_value(str(MOMENT)).text == "2 Dec 2026, 15:05"
    assert show_value("2026-12-24").text == "24 Dec 2026"


def test_field_changes_keep_the_shape_of_lists_dicts_and_moments():
    changes = field_changes(
        {"tags": [], "risk_answers": {}, "planned_start": None, "review_by": None},
        {
            "tags": ["vpn", "mfa"],
            "risk_answers": {"impact": "outage"},
            "planned_start": MOMENT,
            "review_by": date(2027, 1, 9),
        },
    )
    assert changes["tags"]["to"] == ["vpn", "mfa"]
    assert changes["risk_answers"]["to"] == {"impact": "outage"}
    assert changes["planned_start"]["to"] == MOMENT.isoformat()
    assert changes["review_by"]["to"] == "2027-01-09"


@pytest.mark.django_db
def test_fields_use_the_models_labels_and_choices(manager):
    # A service desk manager: editing services is theirs (and administrators'), not agents'.
    service = ServiceFactory(criticality="low", is_active=True)
    service_update(service=service, actor=manager, criticality="critical", is_active=False)
    (event,) = AuditEvent.objects.filter(record_id=service.pk)
    shown = show_event(event)
    assert shown.actor == str(manager)
    assert shown.action == "Updated"
    by_name = {change.name: change for change in shown.changes}
    criticality = Service._meta.get_field("criticality")
    assert by_name["criticality"].label == str(criticality.verbose_name).capitalize()
    assert by_name["criticality"].after.text == dict(criticality.flatchoices)["critical"]
    assert (by_name["is_active"].before.text, by_name["is_active"].after.text) == ("Yes", "No")


@pytest.mark.django_db
def test_a_ticket_event_shows_choice_labels_and_hides_the_version(agent, requester):
    ticket = make_ticket(requester=requester, actor=agent)
    ticket_set_priority(ticket=ticket, actor=agent, expected_version=None, priority=1, reason="CEO")
    event = AuditEvent.objects.filter(record_id=ticket.pk, action="priority_overridden").get()
    shown = show_event(event)
    assert shown.action == "Overrode the priority"
    assert [c.name for c in shown.changes] == ["priority", "priority_override_reason"]
    priority = shown.changes[0]
    assert priority.label == "Priority"
    assert (priority.before.text, priority.after.text) == (
        dict(Ticket._meta.get_field("priority").flatchoices)[5],
        "P1 – Critical",
    )


@pytest.mark.django_db
def test_keys_that_are_no_model_field_read_as_words(agent, requester):
    ticket = make_ticket(requester=requester, actor=agent)
    event = audit_record(
        record=ticket,
        actor=None,
        action="sla_reevaluated",
        changes={
            "resolution_due_at": {"from": None, "to": MOMENT.isoformat()},
            "approval": {"from": "pending", "to": "not_required"},
        },
    )
    with timezone.override("UTC"):
        shown = show_event(event)
    assert shown.actor == "System"
    assert [(c.label, c.before.text, c.after.text) for c in shown.changes] == [
        ("Resolution due", "—", "2 Dec 2026, 14:05"),
        ("Approval", "Pending", "Not required"),
    ]
