"""CMDB in the desk: relations edited on a CI page and drawn in its graph, a self-relation
refused next to the form, a CI registered and edited (and an agent who may not), an upstream
outage on a downstream CI's ticket, and the impact list on a change."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from itsm.cmdb.models import CiRelation, ConfigurationItem
from tests.changes.factories import change_manager, make_change
from tests.e2e.test_sign_in import sign_in
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.major import services as major

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crm_stack(db):
    crm, data = ServiceFactory(name="CRM"), ServiceFactory(name="Data platform")
    cluster = ConfigurationItemFactory(name="DB-CLUSTER-2", service=data)
    app = ConfigurationItemFactory(name="crm-app", service=crm)
    return cluster, app


def test_manager_relates_cis_sees_the_graph_and_a_self_relation_is_refused(
    live_server, page, manager, crm_stack
):
    cluster, app = crm_stack
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + f"/desk/cmdb/cis/{app.pk}/")
    expect(page.locator("#ci-relations")).to_contain_text("No relations yet")
    page.get_by_text("Add relation", exact=True).first.click()
    form = page.locator("#relation-add-form")
    form.get_by_label("Relation").select_option("depends_on")
    form.get_by_label("Other CI").fill("DB-CLUSTER-2")
    form.get_by_role("button", name="Add relation").click()
    expect(page.locator("#ci-relation-list")).to_contain_text("crm-app depends on DB-CLUSTER-2")
    expect(page.locator('[data-graph="upstream"]')).to_contain_text("DB-CLUSTER-2")

    # A CI cannot be related to itself: the message sits by the form, nothing is added.
    page.get_by_text("Add relation", exact=True).first.click()
    form = page.locator("#relation-add-form")
    form.get_by_label("Other CI").fill("crm-app")
    form.get_by_role("button", name="Add relation").click()
    expect(form.locator(".form-error")).to_have_text(
        "A configuration item cannot be related to itself."
    )
    assert CiRelation.objects.count() == 1

    # The other end's graph shows it downstream, with the service an outage reaches.
    page.goto(live_server.url + f"/desk/cmdb/cis/{cluster.pk}/")
    downstream = page.locator('[data-graph="downstream"]')
    expect(downstream).to_contain_text("crm-app")
    expect(downstream).to_contain_text("CRM")
    # Removed again from here.
    page.locator("#ci-relation-list").get_by_role("button", name="Remove").click()
    expect(page.locator("#ci-relations")).to_contain_text("No relations yet")
    assert not CiRelation.objects.exists()


def test_manager_registers_and_edits_a_ci_and_an_agent_may_not(
    live_server, page, manager, agent, crm_stack
):
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + "/desk/cmdb/cis/")
    page.get_by_role("button", name="New CI").click()
    page.get_by_label("Name").fill("crm-web-01")
    page.get_by_label("Type").select_option("server")
    page.get_by_label("Service").select_option(label="CRM")
    page.get_by_label("Owner (email)").fill("nobody@nowhere.example")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".form-error")).to_contain_text("No active user has that email address.")
    page.get_by_label("Owner (email)").fill("")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("h1")).to_contain_text("crm-web-01")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Status").select_option("maintenance")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("In maintenance")
    ci = ConfigurationItem.objects.get(name="crm-web-01")
    assert (ci.status, ci.version, ci.service.name) == ("maintenance", 2, "CRM")

    page.context.clear_cookies()
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/cmdb/cis/{ci.pk}/")
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    page.goto(live_server.url + f"/desk/cmdb/cis/{ci.pk}/edit/")
    expect(page.locator("main")).to_contain_text("You may not edit configuration items.")


def test_an_upstream_major_incident_shows_on_a_downstream_cis_ticket(
    live_server, page, agent, manager, requester, crm_stack
):
    cluster, app = crm_stack
    CiRelation.objects.create(source=app, target=cluster, kind="depends_on")
    outage = make_ticket(requester=agent, ci=cluster, short_description="Cluster unreachable")
    major.major_incident_declare(
        ticket=outage,
        actor=manager,
        reason="Every CRM user is down",
        manager=manager,
        communications_owner=manager,
    )
    mine = make_ticket(requester=requester, ci=app, short_description="CRM will not load")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{mine.number}/")
    panel = page.locator("#impact-upstream")
    expect(panel).to_contain_text("This may be caused by the outage of DB-CLUSTER-2")
    expect(panel).to_contain_text("Major incident")
    expect(panel.get_by_role("link", name=outage.number)).to_be_visible()
    # On the outage's own ticket: what depends on the cluster.
    page.goto(live_server.url + f"/desk/tickets/{outage.number}/")
    expect(page.locator("#impact-downstream")).to_contain_text("crm-app")
    expect(page.locator("#impact-downstream")).to_contain_text("CRM")


def test_change_page_lists_what_depends_on_its_cis(live_server, page, crm_stack):
    cluster, app = crm_stack
    CiRelation.objects.create(source=app, target=cluster, kind="depends_on")
    manager = change_manager()
    change = make_change(actor=manager, cis=[cluster], start=timezone.now() + timedelta(days=2))
    sign_in(page, live_server.url, manager.email)
    page.goto(live_server.url + change.get_absolute_url())
    impact = page.locator("#change-impact")
    expect(impact).to_contain_text("2 services and 1 CI are reached by an outage.")
    expect(impact.locator('[data-impact-ci="crm-app"]')).to_be_visible()
