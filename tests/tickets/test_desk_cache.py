"""The queue's cached figures: counts per agent and the filter bar's choice lists."""

import re

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from itsm.cmdb.models import Service
from tests.factories.accounts import TeamFactory
from tests.factories.tickets import make_ticket

pytestmark = pytest.mark.django_db
# An explicit view: the queue's bare address redirects to the agent's last one.
QUEUE = {"queue": "open"}


def _count(html: str, label: str) -> str:
    return re.search(rf'{label} <span class="count">([^<]*)</span>', html).group(1)


def test_queue_counts_are_kept_for_a_while_then_recounted(client_as, agent, requester, settings):
    settings.ITSM_QUEUE_COUNT_SECONDS = 30
    make_ticket(requester=requester)
    client = client_as(agent)
    assert _count(client.get("/desk/tickets/", QUEUE).content.decode(), "All open") == "1"
    make_ticket(requester=requester)  # someone else's new ticket
    assert _count(client.get("/desk/tickets/", QUEUE).content.decode(), "All open") == "1"

    settings.ITSM_QUEUE_COUNT_SECONDS = 0
    assert _count(client.get("/desk/tickets/", QUEUE).content.decode(), "All open") == "2"


def test_an_agents_own_move_shows_in_their_counts_at_once(
    client_as, agent, requester, service_desk_team, settings
):
    settings.ITSM_QUEUE_COUNT_SECONDS = 300
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    assert _count(client.get("/desk/tickets/", QUEUE).content.decode(), "My work") == "0"
    response = client.post(
        f"/desk/tickets/{ticket.number}/assign/",
        {"version": ticket.version, "team": service_desk_team.pk, "assignee": agent.pk},
    )
    assert response.status_code == 302
    assert _count(client.get("/desk/tickets/", QUEUE).content.decode(), "My work") == "1"


def test_counts_are_per_agent(client_as, agent, agent_other_team, requester, service_desk_team):
    from tickets import services

    ticket = make_ticket(requester=requester)
    services.ticket_assign(
        ticket=ticket, actor=agent, expected_version=1, team=service_desk_team, assignee=agent
    )
    assert _count(client_as(agent).get("/desk/tickets/", QUEUE).content.decode(), "My work") == "1"
    other = client_as(agent_other_team).get("/desk/tickets/", QUEUE).content.decode()
    assert _count(other, "My work") == "0"


def test_a_new_team_and_service_appear_in_the_filter_bar_at_once(client_as, agent, requester):
    make_ticket(requester=requester)  # rows, so the bulk bar (with its team select) shows
    client = client_as(agent)
    html = client.get("/desk/tickets/", QUEUE).content.decode()
    assert "Field Services" not in html
    TeamFactory(name="Field Services")
    Service.objects.create(name="Badge readers")
    html = client.get("/desk/tickets/", QUEUE).content.decode()
    assert html.count("Field Services") == 2  # the filter bar and the bulk bar
    assert "Badge readers" in html


def test_a_renamed_agent_is_renamed_in_the_filter_bar(client_as, agent):
    client = client_as(agent)
    client.get("/desk/tickets/", QUEUE)
    agent.display_name = "Alex Renamed"
    agent.save()
    assert "Alex Renamed" in client.get("/desk/tickets/", QUEUE).content.decode()


def test_filtering_by_a_cached_choice_still_validates_it(client_as, agent, requester):
    make_ticket(requester=requester, short_description="Still listed")
    response = client_as(agent).get("/desk/tickets/", {**QUEUE, "team": "999999"})
    assert response.status_code == 400  # bad input is a 4xx, with the reason on the page
    html = response.content.decode()
    # An unknown team is named as a filter error, not silently ignored.
    assert "This filter cannot be applied" in html
    assert "Team: Select a valid choice" in html
    assert "Still listed" not in html


def test_the_queue_is_served_when_the_cache_is_down(client_as, agent, requester, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    make_ticket(requester=requester, short_description="Served anyway")

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(RedisCache, "get", down)
    monkeypatch.setattr(RedisCache, "set", down)
    response = client_as(agent).get("/desk/tickets/", QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Served anyway" in html
    assert _count(html, "All open") == "1"
