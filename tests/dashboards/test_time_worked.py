"""The overview's "time worked per resolved ticket" figures, by category and by service,
worked out by hand on the dashboards' history (tests/dashboards/conftest.py).

| ticket | resolved in period | category | service | time logged          |
|--------|--------------------|----------|---------|----------------------|
| T1     | yes (closed)       | Access   | Email   | 30 + 15 (agent)      |
| T2     | yes (resolved)     | Access   | VPN     | 60 (agent)           |
| T3     | yes (closed)       | Network  | VPN     | none                 |
| T4     | yes (resolved)     | Network  | VPN     | 90 (nick)            |
| T5     | before the period  | Access   | Email   | 100: not counted     |
| T6     | open               | Access   | VPN     | 20: not counted      |
"""

import pytest

from itsm.cmdb.models import Service
from itsm.dashboards.selectors import (
    DashboardScope,
    dashboard_time_category,
    dashboard_time_service,
)
from tests.dashboards.conftest import PERIOD, period_filters
from tickets import services
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db

EVERYTHING = DashboardScope(everything=True, label="the whole service desk")


@pytest.fixture
def logged(history, agent, agent_other_team, manager):
    access = Category.objects.create(name="Access")
    network = Category.objects.create(name="Network")
    email = Service.objects.create(name="Email")
    vpn = Service.objects.create(name="VPN")
    t = history.tickets
    for name, category, service in (
        ("T1", access, email),
        ("T2", access, vpn),
        ("T3", network, vpn),
        ("T4", network, vpn),
        ("T5", access, email),
        ("T6", access, vpn),
    ):
        Ticket.objects.filter(pk=t[name].pk).update(category=category, service=service)
    for name, who, minutes in (
        ("T1", agent, 30),
        ("T1", agent, 15),
        ("T2", agent, 60),
        ("T4", agent_other_team, 90),
        ("T5", agent, 100),
        ("T6", agent, 20),
    ):
        services.time_entry_log(ticket=t[name], agent=who, minutes=minutes)
    return history


def test_time_per_resolved_ticket_by_category(logged, django_assert_num_queries):
    with django_assert_num_queries(1):
        figure = dashboard_time_category(scope=EVERYTHING, filters=period_filters(), targets={})
    # Access: T1 45 + T2 60 over 2 resolved; Network: T4 90 over 2 resolved (T3 had none).
    assert figure.rows == [["Access", 2, 2, 105, 52.5], ["Network", 2, 1, 90, 45.0]]
    assert figure.summary == [
        {"label": "Hours worked", "value": 3.2},
        {"label": "Average minutes per resolved ticket", "value": 48.8},
    ]


def test_time_per_resolved_ticket_by_service(logged):
    figure = dashboard_time_service(scope=EVERYTHING, filters=period_filters(), targets={})
    assert figure.rows == [["VPN", 3, 2, 150, 50.0], ["Email", 1, 1, 45, 45.0]]


def test_a_team_filter_and_an_agents_scope_narrow_the_figure(logged, service_desk_team, agent):
    sd_only = dashboard_time_service(
        scope=EVERYTHING, filters=period_filters(team_id=service_desk_team.pk), targets={}
    )
    assert sd_only.rows == [["VPN", 2, 1, 60, 30.0], ["Email", 1, 1, 45, 45.0]]
    own = dashboard_time_category(
        scope=DashboardScope(agent_id=agent.pk, label="your own tickets"),
        filters=period_filters(),
        targets={},
    )
    assert own.rows == [["Access", 2, 2, 105, 52.5]]


def test_a_period_with_no_resolved_tickets_is_an_empty_figure(logged):
    from datetime import date

    from itsm.dashboards.selectors import DashboardFilters

    empty = DashboardFilters(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    figure = dashboard_time_category(scope=EVERYTHING, filters=empty, targets={})
    assert figure.rows == []
    assert figure.summary[1] == {"label": "Average minutes per resolved ticket", "value": None}


def test_the_overview_has_both_time_cards_and_the_json_serves_them(logged, client_as, manager):
    page = client_as(manager).get("/dashboards/", PERIOD).content.decode()
    assert 'id="card-time_category"' in page
    assert 'id="card-time_service"' in page
    body = client_as(manager).get("/dashboards/api/time_category.json", PERIOD).json()
    assert body["rows"][0] == ["Access", 2, 2, 105, 52.5]
