import pytest

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.catalog import make_catalog_item
from tickets.catalog import services as catalog
from tickets.choices import TaskStatus, TicketStatus
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

FIELDS = [
    ("model", "choice", True, ("13-inch", "15-inch")),
    ("needed_by", "date", True, ()),
    ("quantity", "number", False, ()),
]


@pytest.fixture
def line_manager(requester):
    boss = UserFactory(email="lena@example.com", display_name="Lena Line", roles=[Role.REQUESTER])
    requester.manager = boss
    requester.save()
    return boss


@pytest.fixture
def item(service_desk_team, agent):
    return make_catalog_item(
        name="New laptop",
        fields=FIELDS,
        fulfilment_team=service_desk_team,
        requires_manager_approval=True,
        tasks=[("Prepare laptop", service_desk_team, 1), ("Hand over", service_desk_team, 2)],
    )


def ordered(item, requester):
    return catalog.request_order(
        item=item,
        requester=requester,
        actor=requester,
        form_data={"model": "15-inch", "needed_by": "2026-12-01"},
    )


def test_catalog_items_list_with_their_field_definitions(api_as, requester, item):
    make_catalog_item(name="Retired phone", is_active=False)
    response = api_as(requester).get("/api/v1/catalog-items/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["slug"] == "new-laptop"
    assert row["category"] == "Hardware"
    assert row["fields"][0] == {
        "name": "model",
        "label": "Model",
        "field_type": "choice",
        "required": True,
        "help_text": "Help for model",
        "choices": ["13-inch", "15-inch"],
        "order": 0,
    }


def test_an_inactive_item_answers_404(api_as, requester):
    make_catalog_item(name="Retired phone", is_active=False)
    client = api_as(requester)
    assert client.get("/api/v1/catalog-items/retired-phone/").status_code == 404
    response = client.post(
        "/api/v1/catalog-items/retired-phone/order/", {"form_data": {}}, format="json"
    )
    assert response.status_code == 404


def test_ordering_returns_201_with_the_request_number(api_as, requester, line_manager, item):
    response = api_as(requester).post(
        "/api/v1/catalog-items/new-laptop/order/",
        {"form_data": {"model": "15-inch", "needed_by": "2026-12-01", "quantity": 2}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("REQ")
    assert body["approval_state"] == "pending"
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.form_data == {"model": "15-inch", "needed_by": "2026-12-01", "quantity": 2}
    assert ticket.channel == "api"


def test_bad_form_data_gets_400_with_field_errors(api_as, requester, line_manager, item):
    response = api_as(requester).post(
        "/api/v1/catalog-items/new-laptop/order/",
        {"form_data": {"model": "17-inch", "needed_by": "soon", "quantity": "lots"}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["form_data"]
    assert set(errors) == {"model", "needed_by", "quantity"}
    assert not Ticket.objects.exists()


def test_form_data_must_be_an_object(api_as, requester, item):
    response = api_as(requester).post(
        "/api/v1/catalog-items/new-laptop/order/", {"form_data": ["model"]}, format="json"
    )
    assert response.status_code == 400


def test_approvers_list_and_approve_their_pending_approvals(api_as, requester, line_manager, item):
    ticket = ordered(item, requester)
    client = api_as(line_manager)
    [row] = client.get("/api/v1/approvals/?state=pending").json()["results"]
    assert row["request"] == ticket.number
    assert row["requester"] == requester.email
    response = client.post(
        f"/api/v1/approvals/{row['id']}/approve/", {"comment": "OK"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "approved"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_a_named_approver_without_the_permission_to_decide_gets_403(
    api_as, requester, line_manager, item
):
    approval = ordered(item, requester).approvals.get()
    line_manager.groups.clear()
    client = api_as(type(line_manager).objects.get(pk=line_manager.pk))
    response = client.post(f"/api/v1/approvals/{approval.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Your account may not decide approvals any more."
    approval.refresh_from_db()
    assert approval.state == "pending"


def test_someone_elses_approval_answers_404(
    api_as, requester, other_requester, agent, line_manager, item
):
    approval = ordered(item, requester).approvals.get()
    for intruder in (other_requester, agent, requester):
        client = api_as(intruder)
        assert client.get(f"/api/v1/approvals/{approval.pk}/").status_code == 404
        response = client.post(f"/api/v1/approvals/{approval.pk}/approve/", {}, format="json")
        assert response.status_code == 404
    approval.refresh_from_db()
    assert approval.state == "pending"


def test_rejecting_needs_a_comment_and_cancels_the_request(api_as, requester, line_manager, item):
    ticket = ordered(item, requester)
    approval = ticket.approvals.get()
    client = api_as(line_manager)
    assert (
        client.post(f"/api/v1/approvals/{approval.pk}/reject/", {}, format="json").status_code
        == 400
    )
    response = client.post(
        f"/api/v1/approvals/{approval.pk}/reject/", {"comment": "Not this year"}, format="json"
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
    again = client.post(f"/api/v1/approvals/{approval.pk}/reject/", {"comment": "x"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "transition_not_allowed"


def test_tasks_are_listed_by_number_and_filtered(
    api_as, agent, requester, line_manager, item, other_team
):
    ticket = ordered(item, requester)
    catalog.approval_approve(approval=ticket.approvals.get(), actor=line_manager)
    client = api_as(agent)
    rows = client.get("/api/v1/tasks/?status=open&team=Service Desk").json()["results"]
    assert [r["title"] for r in rows] == ["Prepare laptop"]
    assert rows[0]["request"] == ticket.number
    assert client.get(f"/api/v1/tasks/?team={other_team.pk}").json()["results"] == []
    detail = client.get(f"/api/v1/tasks/{rows[0]['number']}/")
    assert detail.status_code == 200
    assert detail.json()["version"] == 1


def test_requesters_cannot_read_tasks(api_as, requester):
    assert api_as(requester).get("/api/v1/tasks/").status_code == 403


def test_completing_tasks_through_the_api_resolves_the_request(
    api_as, agent, requester, line_manager, item
):
    ticket = ordered(item, requester)
    catalog.approval_approve(approval=ticket.approvals.get(), actor=line_manager)
    client = api_as(agent)
    for task in ticket.tasks.order_by("step"):
        task.refresh_from_db()
        response = client.post(
            f"/api/v1/tasks/{task.number}/complete/",
            {"expected_version": task.version, "notes": "done"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == TaskStatus.DONE
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_a_stale_task_version_gets_409(api_as, agent, requester, line_manager, item):
    ticket = ordered(item, requester)
    catalog.approval_approve(approval=ticket.approvals.get(), actor=line_manager)
    task = ticket.tasks.get(step=1)
    client = api_as(agent)
    assigned = client.post(
        f"/api/v1/tasks/{task.number}/assign/",
        {"expected_version": 1, "assignee": agent.email},
        format="json",
    )
    assert assigned.status_code == 200
    assert assigned.json()["assignee"] == agent.email
    response = client.post(
        f"/api/v1/tasks/{task.number}/complete/", {"expected_version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_the_catalog_endpoints_are_in_the_schema(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/catalog-items/{slug}/order/",
        "/api/v1/tasks/{number}/complete/",
        "/api/v1/tasks/{number}/assign/",
        "/api/v1/approvals/{id}/approve/",
        "/api/v1/approvals/{id}/reject/",
    ):
        assert path in schema


def test_catalog_and_approval_lists_do_not_grow_in_queries_with_rows(
    api_as, requester, line_manager, django_assert_max_num_queries
):
    def grow(count):
        for n in range(count):
            grown = make_catalog_item(
                name=f"Item {n} {count}", fields=FIELDS, requires_manager_approval=True
            )
            ordered(grown, requester)

    client, manager_client = api_as(requester), api_as(line_manager)
    grow(2)
    with django_assert_max_num_queries(20) as items_small:
        assert len(client.get("/api/v1/catalog-items/").json()["results"]) == 2
    with django_assert_max_num_queries(20) as approvals_small:
        assert len(manager_client.get("/api/v1/approvals/").json()["results"]) == 2
    grow(4)
    with django_assert_max_num_queries(len(items_small.captured_queries)):
        assert len(client.get("/api/v1/catalog-items/").json()["results"]) == 6
    with django_assert_max_num_queries(len(approvals_small.captured_queries)):
        assert len(manager_client.get("/api/v1/approvals/").json()["results"]) == 6
