"""/api/v1/incidents/<number>/time-entries/ and /api/v1/time-entries/ (with totals)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import TicketKind
from tickets.models import TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, agent, service_desk_team):
    return make_ticket(requester=requester, actor=agent, assignment_team=service_desk_team)


def _url(ticket):
    return f"/api/v1/incidents/{ticket.number}/time-entries/"


def test_agent_logs_time_on_an_incident(api_as, agent, ticket):
    response = api_as(agent).post(
        _url(ticket), {"minutes": 35, "note": "Rebuilt the profile"}, format="json"
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["ticket"] == ticket.number
    assert (body["agent"], body["team"], body["minutes"]) == (
        "alice@example.com",
        "Service Desk",
        35,
    )
    assert body["worked_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "Time worked must be at least 1 minute."),
        (-10, "Time worked must be at least 1 minute."),
        (1441, "at most 1440 minutes"),
        ("lots", "whole number of minutes"),
    ],
)
def test_bad_minutes_are_a_clear_400(api_as, agent, ticket, minutes, message):
    response = api_as(agent).post(_url(ticket), {"minutes": minutes}, format="json")
    assert response.status_code == 400
    assert message in response.json()["minutes"][0]
    assert not TimeEntry.objects.exists()


def test_a_future_day_is_a_400_naming_the_field(api_as, agent, ticket):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api_as(agent).post(
        _url(ticket), {"minutes": 5, "worked_on": tomorrow}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "worked_on"


def test_requester_is_refused_and_read_only_roles_too(api_as, requester, cab_member, ticket):
    assert api_as(requester).post(_url(ticket), {"minutes": 5}, format="json").status_code == 403
    assert api_as(requester).get(_url(ticket)).status_code == 403
    assert api_as(requester).get("/api/v1/time-entries/").status_code == 403
    refused = api_as(cab_member).post(_url(ticket), {"minutes": 5}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the service desk can log time on tickets."
    assert not TimeEntry.objects.exists()


def test_incident_path_does_not_serve_a_request(api_as, agent, requester):
    request_ticket = make_ticket(requester=requester, actor=agent, kind=TicketKind.REQUEST)
    assert api_as(agent).get(_url(request_ticket)).status_code == 404
    response = api_as(agent).get(f"/api/v1/requests/{request_ticket.number}/time-entries/")
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_ticket_list_query_count_does_not_grow(
    api_as, agent, ticket, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        services.time_entry_log(ticket=ticket, agent=agent, minutes=5)
    client = api_as(agent)
    # The ticket (with its relations) and the page of entries with their joins; no COUNT.
    with django_assert_max_num_queries(8):
        response = client.get(_url(ticket))
    assert len(response.json()["results"]) == rows


@pytest.fixture
def logged(ticket, agent, agent_other_team, manager, requester, other_team):
    today = timezone.localdate()
    second = make_ticket(requester=requester, actor=agent)
    services.time_entry_log(ticket=ticket, agent=agent, minutes=30)
    services.time_entry_log(ticket=ticket, agent=agent, minutes=15)
    services.time_entry_log(ticket=ticket, agent=manager, minutes=60)
    services.time_entry_log(ticket=second, agent=agent_other_team, minutes=20)
    old = services.time_entry_log(ticket=ticket, agent=agent, minutes=5)
    TimeEntry.objects.filter(pk=old.pk).update(worked_on=today - timedelta(days=10))
    return {"second": second, "today": today}


@pytest.mark.parametrize("page_size", [2, 50])
def test_time_entry_list_filters_and_keeps_its_query_count(
    api_as, agent, logged, page_size, django_assert_num_queries
):
    client = api_as(agent)
    # The page with its joins (whether the caller is desk staff: their roles, cached when
    # they logged the entries).
    with django_assert_num_queries(1):
        response = client.get(
            "/api/v1/time-entries/",
            {
                "agent": agent.pk,
                "worked_after": logged["today"].isoformat(),
                "page_size": page_size,
            },
        )
    minutes = sorted(row["minutes"] for row in response.json()["results"])
    assert minutes == [15, 30]
    with django_assert_num_queries(1):
        every = client.get("/api/v1/time-entries/", {"page_size": page_size}).json()
    assert len(every["results"]) == min(page_size, 5)


def test_totals_per_agent_team_and_ticket(api_as, agent, logged, ticket, django_assert_num_queries):
    client = api_as(agent)
    # The grouped sums, the overall total (the caller's roles: cached when they logged).
    with django_assert_num_queries(2):
        by_agent = client.get("/api/v1/time-entries/totals/", {"group_by": "agent"}).json()
    assert by_agent["total_minutes"] == 130
    assert by_agent["entries"] == 5
    assert [(g["label"], g["minutes"]) for g in by_agent["groups"]] == [
        ("Morgan Manager", 60),
        ("Alice Agent", 50),
        ("Nick Network", 20),
    ]
    by_team = client.get("/api/v1/time-entries/totals/", {"group_by": "team"}).json()
    assert [(g["label"], g["minutes"]) for g in by_team["groups"]] == [
        ("Service Desk", 110),
        ("Network", 20),
    ]
    in_range = client.get(
        "/api/v1/time-entries/totals/",
        {"group_by": "ticket", "worked_after": logged["today"].isoformat()},
    ).json()
    assert [(g["label"], g["minutes"]) for g in in_range["groups"]] == [
        (ticket.number, 105),
        (logged["second"].number, 20),
    ]
    assert in_range["truncated"] is False


def test_totals_refuse_an_unknown_grouping(api_as, agent):
    response = api_as(agent).get("/api/v1/time-entries/totals/", {"group_by": "moon"})
    assert response.status_code == 400
    assert "group_by" in response.json()


def test_agent_corrects_and_deletes_own_entry_but_not_anothers(
    api_as, agent, agent_other_team, ticket
):
    entry = services.time_entry_log(ticket=ticket, agent=agent, minutes=30)
    other = api_as(agent_other_team)
    assert (
        other.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 1}, format="json").status_code
        == 403
    )
    assert other.delete(f"/api/v1/time-entries/{entry.pk}/").status_code == 403
    own = api_as(agent)
    corrected = own.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 45}, format="json")
    assert corrected.status_code == 200
    assert corrected.json()["minutes"] == 45
    bad = own.patch(f"/api/v1/time-entries/{entry.pk}/", {"minutes": 0}, format="json")
    assert bad.status_code == 400
    assert own.patch(f"/api/v1/time-entries/{entry.pk}/", {}, format="json").status_code == 400
    assert own.delete(f"/api/v1/time-entries/{entry.pk}/").status_code == 204
    assert not TimeEntry.objects.exists()


def test_time_endpoints_are_in_the_schema(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/incidents/{number}/time-entries/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/time-entries/{id}/"])
    assert "get" in paths["/api/v1/time-entries/totals/"]
    assert "get" in paths["/api/v1/time-entries/"]


def test_a_work_note_through_the_api_logs_its_minutes(api_as, agent, ticket):
    response = api_as(agent).post(
        f"/api/v1/incidents/{ticket.number}/comments/",
        {"body": "Traced the DNS issue.", "is_public": False, "minutes": 40},
        format="json",
    )
    assert response.status_code == 201, response.data
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.comment_id) == (40, response.json()["id"])


def test_a_reply_with_bad_minutes_is_a_400_and_sends_nothing(api_as, agent, ticket):
    response = api_as(agent).post(
        f"/api/v1/incidents/{ticket.number}/comments/",
        {"body": "Hello", "minutes": 0},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["minutes"] == ["Time worked must be at least 1 minute."]
    assert not ticket.comments.exists()


def test_a_requester_reply_with_minutes_is_refused(api_as, requester, ticket):
    response = api_as(requester).post(
        f"/api/v1/incidents/{ticket.number}/comments/",
        {"body": "Still broken", "minutes": 10},
        format="json",
    )
    assert response.status_code == 403
    assert not ticket.comments.exists()


def test_logging_time_twice_with_one_idempotency_key_logs_it_once(api_as, agent, ticket):
    client = api_as(agent)
    headers = {"HTTP_IDEMPOTENCY_KEY": "time-7f1c"}
    first = client.post(_url(ticket), {"minutes": 15}, format="json", **headers)
    again = client.post(_url(ticket), {"minutes": 15}, format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert TimeEntry.objects.count() == 1
