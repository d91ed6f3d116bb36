"""The list endpoints run the same number of queries for a small and a large page, with rows
that have what a real desk's rows have set (a CI, a parent, a duplicate, a subcategory,
watchers, a team and an agent): no serializer field reads a relation row by row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.catalog import make_catalog_item
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets.choices import TicketKind
from tickets.models import Category

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 24
ROWS = LARGE + 2
MOST = 10  # queries of any list page, authentication included


@pytest.fixture
def desk_like_data(agent, requester, service_desk_team):
    hardware = Category.objects.create(name="Hardware")
    laptop = Category.objects.create(name="Laptop", parent=hardware)
    parent = make_ticket(requester=requester, short_description="Parent outage")
    for n in range(ROWS):
        service = ServiceFactory(name=f"Service {n}", support_team=service_desk_team)
        ci = ConfigurationItemFactory(name=f"CI-{n}", service=service)
        TeamFactory(name=f"Team {n}")
        UserFactory(email=f"person{n}@example.com")
        ArticleFactory(title=f"How to fix thing {n}")
        make_catalog_item(name=f"Item {n}")
        for kind in (TicketKind.INCIDENT, TicketKind.REQUEST):
            ticket = make_ticket(
                requester=requester,
                kind=kind,
                service=service,
                ci=ci,
                category=hardware,
                subcategory=laptop,
                assignment_team=service_desk_team,
                assignee=agent,
                short_description=f"{kind} {n}",
            )
            ticket.watchers.add(agent)
            type(ticket).objects.filter(pk=ticket.pk).update(
                parent=parent if n % 2 else None, duplicate_of=None if n % 2 else parent
            )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/incidents/",
        "/api/v1/requests/",
        "/api/v1/services/",
        "/api/v1/cis/",
        "/api/v1/teams/",
        "/api/v1/users/",
        "/api/v1/articles/",
        "/api/v1/catalog-items/",
    ],
)
def test_a_list_costs_the_same_for_a_small_and_a_large_page(
    desk_like_data, api_as, admin_user, path
):
    client = api_as(admin_user)
    counts = []
    for size in (SMALL, LARGE):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {"page_size": size})
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["results"]) == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= MOST, (
        f"{SMALL} rows: {counts[0]} queries, {LARGE}: {counts[1]}"
    )
