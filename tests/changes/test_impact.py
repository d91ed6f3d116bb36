"""Impact over the CMDB relations: the ticket page's upstream and downstream panels, the
change page's impact list, and the dependent-services factor of change risk."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes import impact, risk
from changes import services as change_services
from itsm.cmdb.models import CiRelation
from tests.changes.factories import RISK_LOW, change_manager, make_change, move
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets import panels
from tickets.major import services as major


@pytest.fixture
def stack(db):
    """crm-app depends on DB-CLUSTER-2; db-node-1 is part of the cluster; the mail gateway
    only connects to crm-app."""
    crm, data = ServiceFactory(name="CRM"), ServiceFactory(name="Data platform")
    cluster = ConfigurationItemFactory(name="DB-CLUSTER-2", service=data)
    node = ConfigurationItemFactory(name="db-node-1", service=data)
    app = ConfigurationItemFactory(name="crm-app", service=crm)
    gateway = ConfigurationItemFactory(name="mail-gw", service=ServiceFactory(name="Email"))
    CiRelation.objects.create(source=app, target=cluster, kind="depends_on")
    CiRelation.objects.create(source=node, target=cluster, kind="part_of")
    CiRelation.objects.create(source=gateway, target=app, kind="connects_to")
    return {"cluster": cluster, "node": node, "app": app, "gateway": gateway, "crm": crm}


def _panel(name, ticket, user):
    shown = {p.name: p.data for p in panels.ticket_panels_for(ticket=ticket, user=user)}
    return shown.get(name)


def test_an_outage_upstream_shows_on_a_downstream_cis_ticket_in_two_queries(
    stack, agent, manager, django_assert_num_queries
):
    outage = make_ticket(requester=agent, ci=stack["node"], short_description="Node down")
    major.major_incident_declare(
        ticket=outage,
        actor=manager,
        reason="CRM is down",
        manager=manager,
        communications_owner=manager,
    )
    mine = make_ticket(requester=agent, ci=stack["app"], short_description="CRM slow")
    on_gateway = make_ticket(requester=agent, ci=stack["gateway"])
    with django_assert_num_queries(2):
        data = impact.upstream_panel_for_ticket(ticket=mine, user=agent)
    assert [(t.number, t.ci.name, t.is_major) for t in data["outages"]] == [
        (outage.number, "db-node-1", True)
    ]
    # connects to carries no outage; the outage's own ticket is not its own upstream.
    assert _panel("cmdb-upstream", on_gateway, agent)["outages"] == []
    assert _panel("cmdb-upstream", outage, agent)["outages"] == []


def test_changes_upstream_are_those_implementing_or_near_now(stack, agent):
    manager = change_manager()
    soon = make_change(
        actor=manager, cis=[stack["cluster"]], start=timezone.now() + timedelta(hours=3)
    )
    move(soon, manager, "assessment")
    far = make_change(
        actor=manager, cis=[stack["cluster"]], start=timezone.now() + timedelta(days=30)
    )
    move(far, manager, "assessment")
    mine = make_ticket(requester=agent, ci=stack["app"])
    assert [c.number for c in impact.changes_upstream(ticket=mine)] == [soon.number]


@pytest.mark.parametrize("extra", [1, 15])
def test_the_upstream_panel_query_count_does_not_grow_with_data(
    stack, agent, django_assert_num_queries, extra
):
    for i in range(extra):
        upper = ConfigurationItemFactory(name=f"san-{i}")
        CiRelation.objects.create(source=stack["cluster"], target=upper, kind="runs_on")
        make_ticket(requester=agent, ci=upper, short_description=f"SAN {i} down")
    mine = make_ticket(requester=agent, ci=stack["app"])
    with django_assert_num_queries(2):
        data = impact.upstream_panel_for_ticket(ticket=mine, user=agent)
    assert len(data["outages"]) == min(extra, impact.PANEL_LIMIT)
    with django_assert_num_queries(1):
        down = impact.downstream_panel_for_ticket(ticket=mine, user=agent)
    assert down["walk"].cis == ()


def test_an_incident_on_a_ci_shows_what_depends_on_it(stack, agent, requester):
    incident = make_ticket(requester=agent, ci=stack["node"])
    walk = _panel("cmdb-downstream", incident, agent)["walk"]
    assert [n.name for n in walk.cis] == ["DB-CLUSTER-2", "crm-app"]
    assert [name for _, name in walk.services] == ["CRM", "Data platform"]
    assert _panel("cmdb-downstream", incident, requester) is None
    assert _panel("cmdb-upstream", incident, requester) is None


def test_change_page_lists_the_impact_and_risk_counts_dependent_services(stack, client_as, db):
    manager = change_manager()
    change = make_change(
        actor=manager, cis=[stack["node"]], start=timezone.now() + timedelta(days=2)
    )
    move(change, manager, "assessment")
    assert impact.dependent_service_count(change=change) == 2
    change.refresh_from_db()
    # An answer cannot talk the count down: it comes from the CMDB.
    change_services.change_assess_risk(
        change=change,
        actor=manager,
        expected_version=change.version,
        answers={**RISK_LOW, "dependent_services": 0},
    )
    change.refresh_from_db()
    assert change.risk_answers["dependent_services"] == 2
    assert "2 services depend on the CIs this change touches (+1)" in change.risk_reasons
    page = client_as(manager).get(change.get_absolute_url()).content.decode()
    assert 'data-impact-service="CRM"' in page
    assert "2 services depend on the CIs this change touches" in page


@pytest.mark.parametrize(
    ("count", "points"), [(0, 0), (1, 0), (2, 1), (4, 1), (5, 2), (9, 2), (10, 3), (50, 3)]
)
def test_dependent_services_score_in_steps(count, points):
    base = risk.assess_risk({**RISK_LOW, "dependent_services": 0}).score
    assert risk.assess_risk({**RISK_LOW, "dependent_services": count}).score == base + points
    with pytest.raises(ValueError, match="cannot be negative"):
        risk.assess_risk({**RISK_LOW, "dependent_services": -1})
