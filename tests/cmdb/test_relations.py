"""Typed CI relations and CI edits: services (permission, refusals, audit, versions), the
API, the desk pages (htmx add/remove with the message next to the field) and the admin."""

import pytest

from itsm.audit.models import AuditEvent
from itsm.cmdb import services
from itsm.cmdb.models import CiRelation, ConfigurationItem
from itsm.core.exceptions import DomainError, PermissionRefused, StaleVersion
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def app_and_db(db):
    return ConfigurationItemFactory(name="crm-app"), ConfigurationItemFactory(name="DB-CLUSTER-2")


def test_a_manager_relates_two_cis_and_both_timelines_say_so(manager, app_and_db):
    app, cluster = app_and_db
    relation = services.ci_relation_add(
        actor=manager, source=app, target=cluster, kind="depends_on"
    )
    assert str(relation) == "crm-app depends on DB-CLUSTER-2"
    for ci in (app, cluster):
        event = AuditEvent.objects.get(record_id=ci.pk, action="relation_added")
        assert event.message == "Added: crm-app depends on DB-CLUSTER-2."
    services.ci_relation_remove(actor=manager, relation=relation)
    assert not CiRelation.objects.exists()
    assert AuditEvent.objects.filter(record_id=app.pk, action="relation_removed").exists()


def test_self_relations_duplicates_and_agents_are_refused(manager, agent, app_and_db):
    app, cluster = app_and_db
    with pytest.raises(DomainError, match="cannot be related to itself"):
        services.ci_relation_add(actor=manager, source=app, target=app, kind="runs_on")
    services.ci_relation_add(actor=manager, source=app, target=cluster, kind="runs_on")
    with pytest.raises(DomainError, match="already runs on"):
        services.ci_relation_add(actor=manager, source=app, target=cluster, kind="runs_on")
    with pytest.raises(PermissionRefused):
        services.ci_relation_add(actor=agent, source=cluster, target=app, kind="connects_to")


def test_ci_edits_need_the_permission_and_a_fresh_version(manager, agent, app_and_db):
    app, _ = app_and_db
    with pytest.raises(PermissionRefused):
        services.ci_update(ci=app, actor=agent, expected_version=1, status="retired")
    with pytest.raises(PermissionRefused):
        services.ci_create(actor=agent, name="new-one", ci_type="server", status="planned")
    services.ci_update(ci=app, actor=manager, expected_version=1, status="maintenance")
    app.refresh_from_db()
    assert (app.status, app.version) == ("maintenance", 2)
    with pytest.raises(StaleVersion):
        services.ci_update(ci=app, actor=manager, expected_version=1, status="retired")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_depends_on_rows_into_typed_relations():
    """Back to 0001, an untyped depends_on row, forward again: a "depends on" relation."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("cmdb", "0001_initial")])
    old = executor.loader.project_state([("cmdb", "0001_initial")]).apps
    OldCi = old.get_model("cmdb", "ConfigurationItem")
    app, cluster = OldCi.objects.create(name="crm-app"), OldCi.objects.create(name="DB-2")
    app.depends_on.add(cluster)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    relation = CiRelation.objects.get()
    assert (relation.source.name, relation.kind, relation.target.name) == (
        "crm-app",
        "depends_on",
        "DB-2",
    )


@pytest.mark.django_db
def test_relations_api_creates_lists_and_deletes_with_field_errors(
    api_as, manager, agent, app_and_db
):
    app, cluster = app_and_db
    client = api_as(manager)
    payload = {"source": app.pk, "target": cluster.pk, "kind": "depends_on"}
    assert api_as(agent).post("/api/v1/ci-relations/", payload).status_code == 403
    created = client.post("/api/v1/ci-relations/", payload)
    assert created.status_code == 201, created.json()
    assert created.json()["target_name"] == "DB-CLUSTER-2"
    again = client.post("/api/v1/ci-relations/", payload)
    assert again.status_code == 400
    assert "already depends on" in str(again.json())
    itself = client.post("/api/v1/ci-relations/", {**payload, "target": app.pk})
    assert itself.status_code == 400
    listed = client.get("/api/v1/ci-relations/", {"ci": cluster.pk}).json()
    assert [r["source_name"] for r in listed["results"]] == ["crm-app"]
    graph = client.get(f"/api/v1/cis/{cluster.pk}/graph/").json()
    assert [c["name"] for c in graph["cis"]] == ["crm-app"]
    assert client.get(f"/api/v1/cis/{cluster.pk}/graph/", {"max_depth": "0"}).status_code == 400
    assert client.delete(f"/api/v1/ci-relations/{created.json()['id']}/").status_code == 204


@pytest.mark.django_db
def test_ci_api_patch_needs_the_version_and_answers_409_when_stale(api_as, manager, app_and_db):
    app, _ = app_and_db
    client = api_as(manager)
    assert client.patch(f"/api/v1/cis/{app.pk}/", {"status": "retired"}).status_code == 400
    ok = client.patch(f"/api/v1/cis/{app.pk}/", {"status": "retired", "version": 1})
    assert ok.status_code == 200, ok.json()
    assert ok.json()["version"] == 2
    stale = client.patch(f"/api/v1/cis/{app.pk}/", {"status": "planned", "version": 1})
    assert stale.status_code == 409


@pytest.mark.django_db
def test_desk_relation_add_by_htmx_and_a_self_relation_refused_next_to_the_form(
    client_as, manager, app_and_db
):
    app, _cluster = app_and_db
    client = client_as(manager)
    url = f"/desk/cmdb/cis/{app.pk}/relations/"
    added = client.post(
        url, {"direction": "out", "kind": "depends_on", "other": "DB-CLUSTER-2"}, headers=HTMX
    )
    assert added.status_code == 200
    html = added.content.decode()
    assert 'id="ci-relations"' in html and "DB-CLUSTER-2" in html and "<nav" not in html
    refused = client.post(
        url, {"direction": "out", "kind": "runs_on", "other": "crm-app"}, headers=HTMX
    )
    assert refused.status_code == 400
    assert "cannot be related to itself" in refused.content.decode()
    unknown = client.post(
        url, {"direction": "in", "kind": "runs_on", "other": "nope"}, headers=HTMX
    )
    assert "No configuration item has that name." in unknown.content.decode()
    relation = CiRelation.objects.get()
    removed = client.post(f"/desk/cmdb/cis/{app.pk}/relations/{relation.pk}/remove/", headers=HTMX)
    assert removed.status_code == 200
    assert not CiRelation.objects.exists()


@pytest.mark.django_db
def test_agents_see_the_graph_but_no_edit_controls_and_are_refused(client_as, agent, app_and_db):
    app, cluster = app_and_db
    CiRelation.objects.create(source=app, target=cluster, kind="depends_on")
    client = client_as(agent)
    page = client.get(f"/desk/cmdb/cis/{cluster.pk}/").content.decode()
    assert "crm-app" in page and "Needed by" in page
    assert "Add relation" not in page and "Edit</a>" not in page
    refused = client.post(
        f"/desk/cmdb/cis/{app.pk}/relations/",
        {"direction": "out", "kind": "runs_on", "other": "DB-CLUSTER-2"},
        headers={**HTMX, "HX-Trigger": "relation-add-form"},
    )
    assert refused.status_code == 403
    assert "You may not change the relations of CIs." in refused.content.decode()
    assert client.get(f"/desk/cmdb/cis/{app.pk}/edit/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("fan_out", [2, 20])
def test_ci_page_query_count_does_not_grow_with_the_graph(
    client_as, agent, django_assert_max_num_queries, fan_out
):
    hub = ConfigurationItemFactory(name="hub")
    for i in range(fan_out):
        leaf = ConfigurationItemFactory(name=f"leaf-{i}")
        CiRelation.objects.create(source=leaf, target=hub, kind="runs_on")
        CiRelation.objects.create(source=ConfigurationItemFactory(), target=leaf, kind="depends_on")
    client = client_as(agent)
    with django_assert_max_num_queries(12):
        assert client.get(f"/desk/cmdb/cis/{hub.pk}/").status_code == 200


@pytest.mark.django_db
def test_desk_ci_create_edit_and_a_stale_edit(client_as, manager):
    ServiceFactory(name="CRM")
    client = client_as(manager)
    created = client.post(
        "/desk/cmdb/cis/new/",
        {
            "name": "crm-web",
            "ci_type": "server",
            "status": "operational",
            "service": "",
            "owner": "",
        },
    )
    assert created.status_code == 302
    ci = ConfigurationItem.objects.get(name="crm-web")
    edit = f"/desk/cmdb/cis/{ci.pk}/edit/"
    form = {"version": 1, "name": "crm-web", "ci_type": "server", "status": "maintenance"}
    assert client.post(edit, {**form, "owner": "nobody@nowhere"}).status_code == 400
    assert client.post(edit, form).status_code == 302
    stale = client.post(edit, {**form, "status": "retired"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()


@pytest.mark.django_db
def test_service_page_adds_and_removes_a_ci(client_as, manager):
    service = ServiceFactory(name="CRM")
    ConfigurationItemFactory(name="crm-db", service=None)
    client = client_as(manager)
    added = client.post(f"/desk/cmdb/services/{service.pk}/cis/", {"ci": "crm-db"}, headers=HTMX)
    assert added.status_code == 200 and "crm-db" in added.content.decode()
    ci = ConfigurationItem.objects.get(name="crm-db")
    assert ci.service == service
    client.post(f"/desk/cmdb/services/{service.pk}/cis/{ci.pk}/remove/", headers=HTMX)
    ci.refresh_from_db()
    assert ci.service is None


@pytest.mark.django_db
def test_admin_lists_and_edits_relations(client_as, admin_user, app_and_db):
    app, cluster = app_and_db
    CiRelation.objects.create(source=app, target=cluster, kind="depends_on")
    client = client_as(admin_user)
    assert "DB-CLUSTER-2" in client.get("/admin/cmdb/cirelation/").content.decode()
    assert client.get(f"/admin/cmdb/configurationitem/{app.pk}/change/").status_code == 200
