import re

import pytest
from django.urls import reverse

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
    ("reason", "long_text", False, ()),
    ("extras", "multi_choice", False, ("Dock", "Mouse")),
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
        tasks=[("Prepare laptop", service_desk_team, 1)],
    )


def ordered(item, requester):
    return catalog.request_order(
        item=item,
        requester=requester,
        actor=requester,
        form_data={"model": "15-inch", "needed_by": "2026-12-01"},
    )


def test_the_catalog_groups_items_by_category_and_searches(client_as, requester, item):
    make_catalog_item(name="VPN access", category="Access")
    client = client_as(requester)
    page = client.get(reverse("catalog:portal-catalog-browse")).content.decode()
    assert "Hardware" in page and "Access" in page and "VPN access" in page
    found = client.get(reverse("catalog:portal-catalog-browse"), {"q": "vpn"}).content.decode()
    assert "VPN access" in found and "New laptop" not in found
    none = client.get(reverse("catalog:portal-catalog-browse"), {"q": "zzz"}).content.decode()
    assert "Nothing in the catalog matches" in none


def test_the_order_form_shows_errors_next_to_fields_and_keeps_input(
    client_as, requester, line_manager, item
):
    response = client_as(requester).post(
        reverse("catalog:portal-catalog-order", args=[item.slug]),
        {"model": "15-inch", "needed_by": "not a date", "reason": "Mine broke", "extras": ["Dock"]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid date." in page
    assert "Mine broke" in page
    assert 'value="15-inch" selected' in page
    assert re.search(r'<input[^>]*value="Dock"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="Mouse"[^>]*checked', page)
    assert not Ticket.objects.exists()


def test_ordering_redirects_to_the_progress_page(client_as, requester, line_manager, item):
    client = client_as(requester)
    response = client.post(
        reverse("catalog:portal-catalog-order", args=[item.slug]),
        {"model": "13-inch", "needed_by": "2026-12-01", "extras": ["Dock", "Mouse"]},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:portal-request-detail", args=[ticket.number])
    assert ticket.form_data["extras"] == ["Dock", "Mouse"]
    page = client.get(response.url).content.decode()
    assert "Awaiting approval" in page and "Lena Line" in page


def test_an_order_without_a_manager_shows_the_reason(client_as, requester, item):
    response = client_as(requester).post(
        reverse("catalog:portal-catalog-order", args=[item.slug]),
        {"model": "13-inch", "needed_by": "2026-12-01"},
    )
    assert response.status_code == 400
    assert "no manager" in response.content.decode()


def test_an_inactive_item_page_is_404(client_as, requester):
    make_catalog_item(name="Old phone", is_active=False)
    assert (
        client_as(requester)
        .get(reverse("catalog:portal-catalog-order", args=["old-phone"]))
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("requester", 200),
        ("other_requester", 404),
        ("agent", 200),
        ("line_manager", 404),
    ],
)
def test_the_progress_page_is_only_for_the_requester_watchers_and_staff(
    request, client_as, requester, line_manager, item, persona, expected
):
    ticket = ordered(item, requester)
    user = request.getfixturevalue(persona)
    url = reverse("catalog:portal-request-detail", args=[ticket.number])
    assert client_as(user).get(url).status_code == expected


def test_a_watcher_sees_the_progress_page(
    client_as, requester, other_requester, line_manager, item
):
    ticket = ordered(item, requester)
    ticket.watchers.add(other_requester)
    url = reverse("catalog:portal-request-detail", args=[ticket.number])
    assert client_as(other_requester).get(url).status_code == 200


def test_a_manager_rejects_on_the_approvals_page_and_the_requester_reads_why(
    client, client_as, requester, line_manager, item
):
    ticket = ordered(item, requester)
    approval = ticket.approvals.get()
    approvals_page = client_as(line_manager).get(reverse("catalog:desk-approval-list"))
    assert ticket.number in approvals_page.content.decode()
    response = client.post(
        reverse("catalog:desk-approval-reject", args=[approval.pk]),
        {"comment": "You had a new one in March"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
    page = (
        client_as(requester)
        .get(reverse("catalog:portal-request-detail", args=[ticket.number]))
        .content.decode()
    )
    assert "Why this request was not approved" in page
    assert "You had a new one in March" in page


def test_approving_from_the_page_starts_fulfilment(client_as, requester, line_manager, item):
    ticket = ordered(item, requester)
    approval = ticket.approvals.get()
    client = client_as(line_manager)
    assert (
        client.get(reverse("catalog:desk-approval-approve", args=[approval.pk])).status_code == 405
    )
    client.post(reverse("catalog:desk-approval-approve", args=[approval.pk]), {"comment": ""})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_a_named_approver_without_the_permission_to_decide_is_told_so_on_the_page(
    client_as, requester, line_manager, item
):
    ticket = ordered(item, requester)
    approval = ticket.approvals.get()
    line_manager.groups.clear()
    client = client_as(line_manager)
    response = client.post(
        reverse("catalog:desk-approval-approve", args=[approval.pk]), {"comment": ""}, follow=True
    )
    assert "Your account may not decide approvals any more." in response.content.decode()
    approval.refresh_from_db()
    assert approval.state == "pending"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_another_persons_approval_cannot_be_decided_from_the_page(
    client_as, requester, other_requester, line_manager, item
):
    approval = ordered(item, requester).approvals.get()
    response = client_as(other_requester).post(
        reverse("catalog:desk-approval-approve", args=[approval.pk])
    )
    assert response.status_code == 404


def test_the_task_queue_lists_my_teams_tasks_and_completes_them(
    client_as, agent, requester, line_manager, item
):
    ticket = ordered(item, requester)
    catalog.approval_approve(approval=ticket.approvals.get(), actor=line_manager)
    task = ticket.tasks.get()
    client = client_as(agent)
    page = client.get(reverse("catalog:desk-task-list")).content.decode()
    assert task.number in page and "Prepare laptop" in page
    client.post(
        reverse("catalog:desk-task-complete", args=[task.number]),
        {"version": task.version, "notes": "Imaged"},
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_a_stale_task_form_shows_a_message(client_as, agent, requester, line_manager, item):
    ticket = ordered(item, requester)
    catalog.approval_approve(approval=ticket.approvals.get(), actor=line_manager)
    task = ticket.tasks.get()
    response = client_as(agent).post(
        reverse("catalog:desk-task-complete", args=[task.number]),
        {"version": task.version + 5},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_requesters_cannot_open_the_task_queue(client_as, requester):
    assert client_as(requester).get(reverse("catalog:desk-task-list")).status_code == 403


def test_the_task_queue_query_count_does_not_grow_with_rows(
    client_as, agent, requester, line_manager, item, django_assert_max_num_queries
):
    client = client_as(agent)
    for _ in range(2):
        catalog.approval_approve(
            approval=ordered(item, requester).approvals.get(), actor=line_manager
        )
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("catalog:desk-task-list"))
    for _ in range(4):
        catalog.approval_approve(
            approval=ordered(item, requester).approvals.get(), actor=line_manager
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("catalog:desk-task-list"))


def _answers_shown(html: str) -> str:
    start = html.index('class="facts order-answers"')
    return " | ".join(
        " ".join(part.split())
        for part in re.findall(
            r"<d[td]>(.*?)</d[td]>", html[start : html.index("</dl>", start)], re.S
        )
    )


def test_order_answers_read_the_same_on_the_portal_and_the_desk(
    client_as, requester, line_manager, agent, item
):
    item.fields.filter(name="needed_by").update(label="Date you need it")
    ticket = catalog.request_order(
        item=item,
        requester=requester,
        actor=requester,
        form_data={"model": "15-inch", "needed_by": "2026-12-24", "extras": ["Dock", "Mouse"]},
    )
    expected = (
        'Model | 15-inch | Date you need it | 24 Dec 2026 | Extras | <ul class="value-list">'
        "<li>Dock</li><li>Mouse</li></ul>"
    )
    portal = client_as(requester).get(
        reverse("catalog:portal-request-detail", args=[ticket.number])
    )
    assert _answers_shown(portal.content.decode()) == expected
    desk = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert _answers_shown(desk) == expected
    assert "needed_by" not in desk and "[&#x27;Dock&#x27;" not in desk
