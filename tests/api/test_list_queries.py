"""The list endpoints run the same number of queries for a small and a large page, with rows
that have what a real desk's rows have set (a CI, a parent, a duplicate, a subcategory,
watchers, a team and an agent): no serializer field reads a relation row by row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes.models import CabApproval, ChangeRequest
from problems.models import Problem
from releases.models import DeploymentStep, Release, SupportStaffing
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.catalog import make_catalog_item
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets.choices import TicketKind
from tickets.major.models import MajorIncident, MajorIncidentUpdate
from tickets.models import Approval, Category, FulfilmentTask, TimeEntry

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 24
ROWS = LARGE + 2
MOST = 10  # queries of any list page, authentication included


@pytest.fixture
def desk_like_data(agent, requester, service_desk_team, admin_user):
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
            TimeEntry.objects.create(
                ticket=ticket,
                agent=agent,
                team=service_desk_team,
                minutes=15,
                worked_on=timezone.localdate(),
            )
            if kind == TicketKind.REQUEST:
                FulfilmentTask.objects.create(
                    number=FulfilmentTask.next_number(),
                    ticket=ticket,
                    title=f"Fulfil {n}",
                    team=service_desk_team,
                    assignee=agent,
                )
                Approval.objects.create(ticket=ticket, approver=admin_user)
            else:
                _process_records(n, ticket, service, ci, laptop, agent, service_desk_team)


def _process_records(n, incident, service, ci, category, agent, team):
    """A major incident, a problem, a change and a release around one incident, with every
    relation their serializers read set."""
    now = timezone.now()
    major = MajorIncident.objects.create(
        ticket=incident,
        declared_by=agent,
        declared_at=now,
        reason="Outage",
        manager=agent,
        communications_owner=agent,
        last_update_at=now,
    )
    MajorIncidentUpdate.objects.create(
        major=major, author=agent, body="Working on it", created_at=now
    )
    problem = Problem.objects.create(
        number=Problem.next_number(),
        statement=f"Recurring failure {n}",
        service=service,
        ci=ci,
        category=category,
        assignee=agent,
        created_by=agent,
        knowledge_article=ArticleFactory(title=f"Known error {n}"),
        source_major_incident=major,
    )
    problem.incidents.add(incident, through_defaults={"linked_by": agent})
    change = ChangeRequest.objects.create(
        number=ChangeRequest.next_number(),
        title=f"Fix {n}",
        assignment_team=team,
        implementer=agent,
        requested_by=agent,
        problem=problem,
    )
    change.services.add(service)
    change.cis.add(ci)
    change.caused_incidents.add(incident, through_defaults={"linked_by": agent})
    CabApproval.objects.create(change=change, approver=agent)
    release = Release.objects.create(number=Release.next_number(), name=f"R{n}", owner=agent)
    release.changes.add(change)
    release.articles.add(problem.knowledge_article)
    DeploymentStep.objects.create(release=release, order=1, title="Deploy", owner=agent)
    SupportStaffing.objects.create(
        release=release, team=team, agent=agent, starts_at=now, ends_at=now + timedelta(hours=8)
    )


LIST_PATHS = [
    "/api/v1/incidents/",
    "/api/v1/requests/",
    "/api/v1/services/",
    "/api/v1/cis/",
    "/api/v1/teams/",
    "/api/v1/users/",
    "/api/v1/articles/",
    "/api/v1/catalog-items/",
    "/api/v1/tasks/",
    "/api/v1/approvals/",
    "/api/v1/time-entries/",
    "/api/v1/major-incidents/",
    "/api/v1/problems/",
    "/api/v1/changes/",
    "/api/v1/releases/",
]


def test_every_list_costs_the_same_for_a_small_and_a_large_page(desk_like_data, api_as, admin_user):
    # One test over every list: the desk-like data takes a while to build, once is enough.
    client = api_as(admin_user)
    costs = {}
    for path in LIST_PATHS:
        counts = []
        for size in (SMALL, LARGE):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, {"page_size": size})
            assert response.status_code == 200, (path, response.content[:300])
            assert len(response.json()["results"]) == size, path
            counts.append(len(queries.captured_queries))
        if not counts[0] == counts[1] <= MOST:
            costs[path] = (
                f"{SMALL} rows: {counts[0]} queries, {LARGE}: {counts[1]}; the last "
                f"large-page query: {queries.captured_queries[-1]['sql']}"
            )
    assert not costs, costs


def test_a_tickets_time_entries_cost_the_same_for_a_small_and_a_large_page(
    api_as, agent, requester, service_desk_team
):
    ticket = make_ticket(requester=requester, assignment_team=service_desk_team, assignee=agent)
    TimeEntry.objects.bulk_create(
        TimeEntry(
            ticket=ticket,
            agent=agent,
            team=service_desk_team,
            minutes=5 + n,
            worked_on=timezone.localdate(),
        )
        for n in range(ROWS)
    )
    client = api_as(agent)
    path = f"/api/v1/incidents/{ticket.number}/time-entries/"
    client.get(path)  # the agent's roles and permissions are cached from here on, as in use
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
