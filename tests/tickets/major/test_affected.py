"""An ongoing major incident seen from the other tickets: the one selector behind it, the
ticket page's panel, "link as affected", the manager's instructions to the desk, and
declaring a second one on the same service (asks first, on the desk and in the API)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itsm.audit.models import AuditEvent
from itsm.cmdb import services as cmdb_services
from itsm.cmdb.choices import RelationKind
from itsm.core.exceptions import PermissionRefused, TransitionNotAllowed
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.exceptions import MajorIncidentAlreadyOpen
from tickets.major import selectors, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _declare(ticket, actor, **kw):
    return services.major_incident_declare(
        ticket=ticket,
        actor=actor,
        reason="Payroll again",
        manager=actor,
        communications_owner=actor,
        **kw,
    )


# --- The one selector ---


def test_open_major_incidents_match_on_the_service_or_the_ci_in_one_query(
    major, requester, manager, django_assert_num_queries
):
    db_ci = ConfigurationItemFactory(name="DB-CLUSTER-2")
    on_ci = make_ticket(requester=requester, actor=manager, short_description="DB", ci=db_ci)
    by_ci = _declare(on_ci, manager, force=True)
    with django_assert_num_queries(1):
        found = selectors.major_open_affecting(service_ids={major.ticket.service_id}, ci_ids=set())
    assert [m.pk for m in found] == [major.pk]
    assert found[0].latest_update == "Database failover in progress"
    with django_assert_num_queries(1):
        found = selectors.major_open_affecting(
            service_ids={major.ticket.service_id}, ci_ids={db_ci.pk}
        )
    assert {m.pk for m in found} == {major.pk, by_ci.pk}
    with django_assert_num_queries(0):
        assert selectors.major_open_affecting(service_ids={None}, ci_ids=set()) == []


def test_a_resolved_major_incident_no_longer_affects_anything(major, manager):
    services.major_incident_resolve(major=major, actor=manager, public_note="Fixed")
    assert selectors.major_open_affecting(service_ids={major.ticket.service_id}, ci_ids=()) == []


# --- The panel ---


def test_the_panel_offers_the_open_major_incident_on_the_tickets_service_in_one_query(
    major, caller, agent, django_assert_num_queries
):
    with django_assert_num_queries(1):
        panel = selectors.major_panel_for_ticket(ticket=caller, user=agent)
    assert panel["linked"] is None
    assert [m.ticket.number for m in panel["majors"]] == [major.ticket.number]


def test_the_panel_is_not_shown_off_the_service_to_requesters_or_on_the_major_itself(
    major, caller, agent, requester, other_requester
):
    elsewhere = make_ticket(requester=requester, actor=agent, service=ServiceFactory(name="Mail"))
    assert selectors.major_panel_for_ticket(ticket=elsewhere, user=agent) is None
    assert selectors.major_panel_for_ticket(ticket=caller, user=other_requester) is None
    major.ticket.refresh_from_db()
    assert selectors.major_panel_for_ticket(ticket=major.ticket, user=agent) is None


def test_the_panel_does_not_grow_with_the_number_of_tickets_and_updates(
    major, caller, agent, manager, requester, payroll
):
    for n in range(5):
        services.major_incident_post_update(
            major=major, actor=manager, body=f"u{n}", is_public=False
        )
        make_ticket(requester=requester, actor=agent, service=payroll)
    with CaptureQueriesContext(connection) as queries:
        selectors.major_panel_for_ticket(ticket=caller, user=agent)
    assert len(queries) == 1


def test_the_panel_offers_a_major_incident_on_a_ci_the_tickets_ci_needs_in_one_query(
    requester, manager, agent, django_assert_num_queries
):
    """crm-app depends on DB-CLUSTER-2: an outage of the cluster is offered on crm-app's
    tickets (itsm.cmdb.graph's walk, inside the panel's one query); not the other way round."""
    cluster = ConfigurationItemFactory(name="DB-CLUSTER-2")
    app = ConfigurationItemFactory(name="crm-app")
    cmdb_services.ci_relation_add(
        source=app, target=cluster, kind=RelationKind.DEPENDS_ON, actor=None
    )
    outage = make_ticket(requester=requester, actor=manager, short_description="DB", ci=cluster)
    mi = _declare(outage, manager)
    on_app = make_ticket(requester=requester, actor=agent, short_description="CRM slow", ci=app)
    with django_assert_num_queries(1):
        panel = selectors.major_panel_for_ticket(ticket=on_app, user=agent)
    assert [m.pk for m in panel["majors"]] == [mi.pk]
    app_outage = make_ticket(requester=requester, actor=manager, ci=app)
    services.major_incident_resolve(major=mi, actor=manager, public_note="Fixed")
    _declare(app_outage, manager)
    on_cluster = make_ticket(requester=requester, actor=agent, ci=cluster)
    assert selectors.major_panel_for_ticket(ticket=on_cluster, user=agent) is None


# --- Link as affected ---


def test_linking_as_affected_makes_a_child_that_takes_the_major_priority_audited(
    major, caller, agent
):
    assert caller.priority > 1
    before = caller.priority
    linked = services.major_incident_link_affected(major=major, ticket=caller, actor=agent)
    linked.refresh_from_db()
    assert linked.parent_id == major.ticket_id and linked.priority == 1
    event = AuditEvent.objects.filter(record_id=caller.pk, action="linked").latest("occurred_at")
    assert event.changes["priority"] == {"from": before, "to": 1}
    assert event.changes["parent"]["to"] == str(major.ticket)
    assert AuditEvent.objects.filter(
        record_id=major.ticket_id, action="major_child_linked", message=caller.number
    ).exists()
    # Linking again changes nothing (no second event, no version bump).
    version = linked.version
    again = services.major_incident_link_affected(major=major, ticket=linked, actor=agent)
    assert again.version == version


def test_a_child_shows_its_major_incident_and_latest_updates_in_two_queries(
    major, caller, agent, django_assert_num_queries
):
    services.major_incident_link_affected(major=major, ticket=caller, actor=agent)
    caller = Ticket.objects.get(pk=caller.pk)
    with django_assert_num_queries(2):
        panel = selectors.major_panel_for_ticket(ticket=caller, user=agent)
    assert panel["linked"].pk == major.pk
    assert [u.body for u in panel["updates"]] == ["Database failover in progress"]


def test_linking_is_refused_for_requesters_closed_tickets_and_resolved_majors(
    major, caller, agent, manager, other_requester, requester
):
    with pytest.raises(PermissionRefused):
        services.major_incident_link_affected(major=major, ticket=caller, actor=other_requester)
    with pytest.raises(TransitionNotAllowed, match="is a major incident itself"):
        services.major_incident_link_affected(major=major, ticket=major.ticket, actor=agent)
    services.major_incident_resolve(major=major, actor=manager, public_note="Fixed")
    with pytest.raises(TransitionNotAllowed, match="already resolved"):
        services.major_incident_link_affected(major=major, ticket=caller, actor=agent)


def test_a_requester_who_joins_takes_the_major_priority_too(major, other_requester):
    child = services.major_incident_join(major=major, requester=other_requester, description="")
    child.refresh_from_db()
    assert child.priority == 1 and child.parent_id == major.ticket_id


# --- The manager's instructions ---


def test_the_manager_writes_the_desks_instructions_audited(major, manager, agent, caller):
    due = major.last_update_at.replace(microsecond=0)
    services.major_incident_set_desk_instructions(
        major=major,
        actor=manager,
        caller_script="Say payroll runs late; no action needed.",
        public_wording="Payroll is delayed; we will update you by noon.",
        next_update_due_at=due,
    )
    major.refresh_from_db()
    assert major.caller_script.startswith("Say payroll") and major.next_update_at == due
    event = AuditEvent.objects.get(
        record_id=major.ticket_id, action="major_desk_instructions_changed"
    )
    assert event.changes["caller_script"]["from"] == ""
    panel = selectors.major_panel_for_ticket(ticket=caller, user=agent)
    assert panel["majors"][0].caller_script.startswith("Say payroll")


def test_only_the_major_team_writes_the_instructions(major, requester):
    with pytest.raises(PermissionRefused):
        services.major_incident_set_desk_instructions(
            major=major,
            actor=requester,
            caller_script="x",
            public_wording="",
            next_update_due_at=None,
        )


# --- A second declaration asks first ---


def test_declaring_a_second_major_incident_on_the_same_service_is_refused_naming_the_first(
    major, caller, manager
):
    with pytest.raises(MajorIncidentAlreadyOpen) as refused:
        _declare(caller, manager)
    assert refused.value.existing.pk == major.pk
    assert refused.value.message.startswith(f"{major.ticket.number} is already open for Payroll")
    caller.refresh_from_db()
    assert not caller.is_major
    second = _declare(caller, manager, force=True)
    assert second.pk != major.pk and second.ticket.is_major
