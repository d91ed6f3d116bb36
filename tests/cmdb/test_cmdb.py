import pytest

from itsm.audit.models import AuditEvent
from itsm.cmdb.models import Service
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory


@pytest.mark.django_db
def test_agent_lists_services_through_the_api_with_filters(api_as, agent):
    ServiceFactory(name="Email", criticality="critical")
    ServiceFactory(name="Wi-Fi", criticality="low")
    response = api_as(agent).get("/api/v1/services/", {"criticality": "critical"})
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["results"]] == ["Email"]


@pytest.mark.django_db
def test_agent_cannot_create_services_but_a_manager_can_and_it_is_audited(api_as, agent, manager):
    payload = {"name": "Printing", "kind": "business", "criticality": "low"}
    assert api_as(agent).post("/api/v1/services/", payload).status_code == 403
    response = api_as(manager).post("/api/v1/services/", payload)
    assert response.status_code == 201, response.json()
    service = Service.objects.get(name="Printing")
    assert AuditEvent.objects.filter(record_id=service.pk, action="created", actor=manager).exists()


@pytest.mark.django_db
def test_bad_service_input_gets_field_errors(api_as, manager):
    response = api_as(manager).post("/api/v1/services/", {"name": "", "kind": "imaginary"})
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "kind"}


@pytest.mark.django_db
def test_requesters_cannot_read_the_cmdb_api(api_as, requester):
    assert api_as(requester).get("/api/v1/cis/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_ci_list_query_count_does_not_grow_with_rows(
    api_as, agent, django_assert_max_num_queries, rows
):
    ConfigurationItemFactory.create_batch(rows)
    client = api_as(agent)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/cis/")
    assert response.json()["count"] == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_service_browse_page_query_count_does_not_grow(
    client_as, agent, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        ConfigurationItemFactory()
    client = client_as(agent)
    with django_assert_max_num_queries(8):
        response = client.get("/desk/cmdb/services/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_browse_pages_show_an_empty_state_and_filter_with_htmx(client_as, agent):
    client = client_as(agent)
    assert "No services match" in client.get("/desk/cmdb/services/").content.decode()
    ServiceFactory(name="Payroll")
    partial = client.get("/desk/cmdb/services/", {"q": "pay"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "Payroll" in html
    assert "<nav" not in html  # a fragment, not the whole page
