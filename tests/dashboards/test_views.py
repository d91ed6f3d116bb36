"""Dashboard pages and JSON/CSV endpoints: access matrix, query counts, CSV export."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.utils import ProgrammingError

from itsm.dashboards.rollup import dashboard_rollup_refresh
from itsm.dashboards.selectors import OVERVIEW_METRICS, PROCESS_METRICS
from problems.models import Problem
from tests.dashboards.conftest import PERIOD, add_clock, add_ticket, at
from tickets.choices import TicketStatus
from tickets.models import SatisfactionSurvey
from tickets.sla.rules import SlaMetric, SlaState

PAGES = ["/dashboards/", "/dashboards/api/sla_compliance.json", "/dashboards/sla/tickets/"]
PROCESS_PAGES = ["/dashboards/processes/", "/dashboards/api/changes.json"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("admin_user", 200),
        ("team_lead", 200),
        ("agent", 200),
        ("requester", 403),
    ],
)
def test_access_matrix_for_the_overview(request, client_as, url, persona, status):
    user = request.getfixturevalue(persona)
    assert client_as(user).get(url).status_code == status


@pytest.mark.parametrize("url", PAGES + PROCESS_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]


@pytest.mark.parametrize("url", PROCESS_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("admin_user", 200),
        ("knowledge_editor", 200),
        ("team_lead", 403),
        ("agent", 403),
        ("requester", 403),
    ],
)
def test_access_matrix_for_the_process_views(request, client_as, url, persona, status):
    user = request.getfixturevalue(persona)
    assert client_as(user).get(url).status_code == status


def test_an_agents_json_only_holds_their_own_figures(history, client_as, agent):
    body = client_as(agent).get("/dashboards/api/workload_agent.json", PERIOD).json()
    assert body["scope"] == "your own tickets"
    assert [row[0] for row in body["rows"]] == ["Alice Agent"]


def test_a_team_leads_json_only_holds_their_teams_figures(history, client_as, team_lead):
    body = client_as(team_lead).get("/dashboards/api/workload_team.json", PERIOD).json()
    assert body["scope"] == "Network"
    assert body["rows"] == [["Network", 1, 1, 100.0]]


def test_unknown_metric_is_404(client_as, manager):
    assert client_as(manager).get("/dashboards/api/passwords.json").status_code == 404


def test_bad_filters_get_400_with_field_errors(client_as, manager):
    response = client_as(manager).get(
        "/dashboards/api/csat.json", {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "__all__" in response.json()["errors"]
    bad_team = client_as(manager).get("/dashboards/api/csat.json", {"team": "1 OR 1=1"})
    assert bad_team.status_code == 400
    assert "team" in bad_team.json()["errors"]


def test_a_range_longer_than_a_year_is_refused(client_as, manager):
    response = client_as(manager).get(
        "/dashboards/api/created_resolved.json",
        {"date_from": "2024-01-01", "date_to": "2026-03-01"},
    )
    assert response.status_code == 400


def test_overview_page_has_a_card_per_figure_with_its_json_and_csv(history, client_as, manager):
    response = client_as(manager).get("/dashboards/", PERIOD)
    html = response.content.decode()
    for metric in OVERVIEW_METRICS:
        assert f'id="card-{metric}"' in html
        assert f"/dashboards/api/{metric}.json?date_from=2026-03-02" in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "<details" in html


# --- CSV ---


def test_csv_export_holds_the_same_numbers_as_the_json(history, client_as, manager):
    client = client_as(manager)
    response = client.get("/dashboards/api/sla_compliance.json", {**PERIOD, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="sla_compliance_2026-03-02_2026-03-15.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "Week",
            "First response met (%)",
            "Resolution met (%)",
            "Responses measured",
            "Resolutions measured",
        ],
        ["2026-03-02", "50.0", "100.0", "2", "2"],
        ["2026-03-09", "100.0", "50.0", "2", "2"],
    ]


@pytest.mark.parametrize("metric", [*OVERVIEW_METRICS, *PROCESS_METRICS])
def test_every_figure_exports_csv(history, client_as, manager, metric):
    response = client_as(manager).get(f"/dashboards/api/{metric}.json", {**PERIOD, "format": "csv"})
    assert response.status_code == 200
    json_body = client_as(manager).get(f"/dashboards/api/{metric}.json", PERIOD).json()
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == len(json_body["rows"]) + 1


def test_csv_cells_that_look_like_formulas_are_defused(history, client_as, manager, agent):
    agent.display_name = "=HYPERLINK(evil)"
    agent.save()
    response = client_as(manager).get(
        "/dashboards/api/workload_agent.json", {**PERIOD, "format": "csv"}
    )
    assert "'=HYPERLINK(evil)" in response.content.decode()


# --- Query counts: fixed, whatever the number of rows ---


def _more_history(requester, team, agent, policy, count):
    for index in range(count):
        created = at(3, 2 + index % 12, 9)
        ticket = add_ticket(
            f"T{100 + index}",
            requester=requester,
            team=team,
            assignee=agent,
            status=TicketStatus.RESOLVED if index % 2 else TicketStatus.IN_PROGRESS,
            created=created,
            resolved=created + timedelta(hours=5) if index % 2 else None,
            fcr=index % 3 == 0,
        )
        add_clock(ticket, policy, SlaMetric.FIRST_RESPONSE, state=SlaState.MET, elapsed=20,
                  stopped=created + timedelta(minutes=20))  # fmt: skip
        if index % 2:
            add_clock(ticket, policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED,
                      elapsed=500, stopped=created + timedelta(hours=5))  # fmt: skip
            SatisfactionSurvey.objects.create(ticket=ticket, respondent=requester, rating=4)
        else:
            add_clock(ticket, policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED,
                      due=created + timedelta(hours=8))  # fmt: skip
    dashboard_rollup_refresh()


# Per request: session, user, the user's groups twice (staff check, then role names), the
# targets, then the figure's own aggregate queries (1 to 3; a team lead adds one for teams).
QUERY_BUDGET = {
    "sla_compliance": 6,
    "sla_now": 6,
    "backlog_age": 6,
    "created_resolved": 7,  # created per day, resolved per day
    "response_times": 6,
    "first_contact_resolution": 6,
    "reassignment": 6,
    "csat": 6,
    "volume_category": 7,  # + the "other" total once there are more than 20 groups
    "volume_service": 7,
    "volume_channel": 6,
    "workload_team": 7,  # open/resolved per team, SLA per team
    "workload_agent": 7,
    "time_category": 6,  # one aggregate over the period's resolved tickets and their time
    "time_service": 6,
    "changes": 7,
    "problems": 6,
    "knowledge": 8,
    "major_incidents": 7,
}


@pytest.mark.parametrize("metric", [*OVERVIEW_METRICS, *PROCESS_METRICS])
def test_query_count_of_each_endpoint_does_not_grow_with_the_data(
    history, client_as, manager, requester, agent, service_desk_team,
    django_assert_max_num_queries, metric,
):  # fmt: skip
    client = client_as(manager)
    url = f"/dashboards/api/{metric}.json"
    with django_assert_max_num_queries(QUERY_BUDGET[metric]):
        assert client.get(url, PERIOD).status_code == 200
    _more_history(requester, service_desk_team, agent, history.policy, 40)
    with django_assert_max_num_queries(QUERY_BUDGET[metric]):
        assert client.get(url, PERIOD).status_code == 200


def test_the_overview_page_itself_runs_a_fixed_number_of_queries(
    history, client_as, manager, requester, agent, service_desk_team, django_assert_num_queries
):
    client = client_as(manager)
    client.get("/dashboards/", PERIOD)
    # session, user, teams list, services list, as-of time (the roles: cached)
    with django_assert_num_queries(5):
        client.get("/dashboards/", PERIOD)
    _more_history(requester, service_desk_team, agent, history.policy, 40)
    with django_assert_num_queries(5):
        client.get("/dashboards/", PERIOD)


def test_the_overview_says_how_fresh_its_figures_are(history, client_as, manager):
    from itsm.dashboards.models import DashboardRollupState

    as_of = DashboardRollupState.objects.get(pk=1).open_as_of
    html = client_as(manager).get("/dashboards/", PERIOD).content.decode()
    shown = re.search(r'Figures as of <time datetime="([^"]+)">[^<]*(\d\d:\d\d)</time>', html)
    assert shown, html
    assert datetime.fromisoformat(shown[1]) == as_of  # the same instant, in the user's zone
    assert shown[2] == datetime.fromisoformat(shown[1]).strftime("%H:%M")

    DashboardRollupState.objects.all().delete()  # a new install before the first refresh
    html = client_as(manager).get("/dashboards/", PERIOD).content.decode()
    assert "The figures are being computed for the first time" in html


# --- Drill-down ---


def test_breach_count_drills_down_to_the_breached_tickets(history, client_as, manager):
    body = client_as(manager).get("/dashboards/api/sla_now.json", PERIOD).json()
    response = client_as(manager).get(body["row_links"][1])
    html = response.content.decode()
    breached = history.tickets["T6"]
    assert f'href="/desk/tickets/{breached.number}/"' in html
    assert history.tickets["T7"].number not in html


def test_every_process_view_reads_its_app_and_shows_figures(history, client_as, manager):
    for metric in PROCESS_METRICS:
        body = client_as(manager).get(f"/dashboards/api/{metric}.json", PERIOD).json()
        assert body["columns"], metric
        assert "unavailable" not in body  # no "not available yet" empty state any more


def test_a_broken_process_query_surfaces_instead_of_becoming_an_empty_state(
    history, client_as, manager
):
    """GIVEN the problems table lost a column the problem figure reads (a real schema fault)
    WHEN the figure is requested
    THEN the database error surfaces (a 500), it is not shown as "not available yet"."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {Problem._meta.db_table} RENAME COLUMN is_known_error TO was_known_error"
        )
    with pytest.raises(ProgrammingError):
        client_as(manager).get("/dashboards/api/problems.json", PERIOD)


def _breaches(history, requester, team, count):
    """`count` more open tickets of `team` whose resolution clock breached, an hour apart."""
    for index in range(count):
        ticket = add_ticket(f"T{300 + index}", requester=requester, team=team,
                            status=TicketStatus.IN_PROGRESS, created=at(3, 10))  # fmt: skip
        add_clock(ticket, history.policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED,
                  due=at(3, 11) + timedelta(hours=index))  # fmt: skip
    return count


DRILL = "/dashboards/sla/tickets/"
BREACHED = {**PERIOD, "metric": "resolution", "which": "breached"}


def test_the_breach_list_pages_through_every_ticket(
    history, client_as, manager, requester, service_desk_team
):
    _breaches(history, requester, service_desk_team, 104)  # and T6: 105 in all
    client = client_as(manager)
    first = client.get(DRILL, BREACHED)
    assert len(first.context["clocks"]) == 100
    html = first.content.decode()
    assert "Tickets 1–100 of 105" in html
    next_url = first.context["next_url"]
    assert next_url.startswith(DRILL) and "after=" in next_url
    assert 'rel="next"' in html

    second = client.get(next_url)
    assert second.status_code == 200
    assert "Tickets 101–105 of 105" in second.content.decode()
    assert second.context["next_url"] == ""
    assert second.context["first_url"]
    numbers = [c.ticket.number for c in [*first.context["clocks"], *second.context["clocks"]]]
    assert len(set(numbers)) == 105
    assert numbers[-1] == history.tickets["T6"].number  # due last (03-18 10:00)


def test_the_breach_list_runs_a_fixed_number_of_queries_per_page(
    history, client_as, manager, requester, service_desk_team, django_assert_num_queries
):
    client = client_as(manager)
    client.get(DRILL, BREACHED)
    # session, user, the capped count, the clocks with a due time and, as they run out
    # before the page is full, the clocks on hold (the roles: cached).
    with django_assert_num_queries(5):
        client.get(DRILL, BREACHED)
    _breaches(history, requester, service_desk_team, 150)
    # A full page needs no on-hold query; the next page costs the same.
    with django_assert_num_queries(4):
        page = client.get(DRILL, BREACHED)
    with django_assert_num_queries(5):
        client.get(page.context["next_url"])


def test_the_whole_breach_list_downloads_as_csv(
    history, client_as, manager, requester, service_desk_team, agent
):
    _breaches(history, requester, service_desk_team, 120)
    agent.display_name = "=HYPERLINK(evil)"
    agent.save()
    response = client_as(manager).get(DRILL, {**BREACHED, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="sla_breached_resolution_2026-03-18.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Ticket", "Short description", "Priority", "Team", "Assignee", "Due"]
    assert len(rows) == 1 + 121  # the whole list, not a page
    assert rows[1][0] == "INC8000300"
    t6 = history.tickets["T6"]
    assert rows[-1] == [t6.number, t6.short_description, "P3", "Service Desk",
                        "'=HYPERLINK(evil)", "2026-03-18T10:00:00+00:00"]  # fmt: skip


def test_a_page_cursor_the_list_did_not_write_is_a_400(history, client_as, manager):
    response = client_as(manager).get(DRILL, {**BREACHED, "after": "tomorrow~1"})
    assert response.status_code == 400


def test_under_a_team_filter_the_headings_name_the_team(
    history, client_as, manager, service_desk_team
):
    client = client_as(manager)
    unfiltered = client.get("/dashboards/", PERIOD).content.decode()
    assert "Figures for <strong>the whole service desk</strong>" in unfiltered
    team = {"team": service_desk_team.pk}
    html = client.get("/dashboards/", {**PERIOD, **team}).content.decode()
    assert "Figures for <strong>Service Desk</strong>" in html
    assert "the whole service desk" not in html
    drill = client.get(DRILL, {**BREACHED, **team}).content.decode()
    assert "Open tickets of <strong>Service Desk</strong>" in drill


def test_an_agents_heading_under_a_team_filter_says_own_tickets_in_that_team(
    history, client_as, agent, service_desk_team
):
    html = client_as(agent).get("/dashboards/", {**PERIOD, "team": service_desk_team.pk})
    assert "Figures for <strong>your own tickets in Service Desk</strong>" in html.content.decode()
