"""Live ticket pages and queues (issue 21): the poll's answers, presence with its TTLs, the
queue's "N new or changed", and a Redis that cannot answer (the poll says "paused" at once)."""

import time

import pytest
from django.test import Client

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket
from tickets import live, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(service_desk_team):
    user = UserFactory(email="bob@example.com", display_name="Bob Agent", roles=[Role.AGENT])
    service_desk_team.members.add(user)
    return user


def poll(client, ticket, **params):
    """The page's poll, with the token the desk page gave the signed-in agent."""
    user = client.session_user
    token = params.pop("token", None) or live.poll_token(user=user, number=ticket.number)
    return client.get(
        f"/desk/tickets/{ticket.number}/live/", params, headers={"X-Live-Token": token}
    )


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        client.session_user = user
        return client

    return make


def reply(ticket, author, body="Please restart the VPN client.", public=True):
    return services.comment_add(
        ticket=ticket, author=author, body=body, is_public=public, expected_version=ticket.version
    )


def test_a_write_by_someone_else_is_reported_and_an_unchanged_page_gets_204(
    client_for, agent, bob, requester, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=requester)
    client = client_for(agent)
    first = poll(client, ticket, v=ticket.version).json()
    assert first["changed"] is False
    assert first["viewers"] == [] and first["typing"] == []
    # Nothing changed and the same people: no body at all.
    assert poll(client, ticket, v=ticket.version, p=first["p"]).status_code == 204

    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket, bob)
    ticket.refresh_from_db()
    changed = poll(client, ticket, v=ticket.version - 1, p=first["p"]).json()
    assert changed["changed"] is True
    assert changed["version"] == ticket.version
    # The page drew the new version: quiet again.
    assert poll(client, ticket, v=ticket.version, p=first["p"]).status_code == 204


def test_a_status_change_is_reported_too(
    client_for, agent, bob, requester, django_capture_on_commit_callbacks
):
    ticket = make_ticket(requester=requester)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(
            ticket=ticket, actor=bob, to_status="in_progress", expected_version=ticket.version
        )
    client = client_for(agent)
    answer = poll(client, ticket, v=ticket.version).json()
    assert answer["changed"] is True and answer["version"] == ticket.version + 1


def test_nothing_is_told_before_the_write_commits(
    client_for, agent, bob, requester, django_capture_on_commit_callbacks
):
    ticket = make_ticket(requester=requester)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply(ticket, bob)
    client = client_for(agent)
    assert poll(client, ticket, v=ticket.version).json()["changed"] is False
    for callback in callbacks:
        callback()
    assert poll(client, ticket, v=ticket.version).json()["changed"] is True


def test_versions_landing_out_of_order_never_move_back(agent, requester):
    ticket = make_ticket(requester=requester)
    live.ticket_changed(ticket_id=ticket.pk, number=ticket.number, version=7)
    live.ticket_changed(ticket_id=ticket.pk, number=ticket.number, version=6)
    beat = live.ticket_beat(number=ticket.number, member=f"{agent.pk}:{agent}", typing=False)
    assert beat is not None and beat.version == 7


def test_presence_shows_who_else_views_and_types_and_forgets_them(
    client_for, agent, bob, requester, monkeypatch
):
    ticket = make_ticket(requester=requester)
    bobs = client_for(bob)
    alices = client_for(agent)
    poll(bobs, ticket, typing="0")
    seen = poll(alices, ticket).json()
    assert seen["viewers"] == ["Bob Agent"] and seen["typing"] == []
    poll(bobs, ticket, typing="1")
    seen_typing = poll(alices, ticket, p=seen["p"]).json()
    assert seen_typing["typing"] == ["Bob Agent"]
    # Bob does not see himself.
    assert poll(bobs, ticket, typing="1").json()["viewers"] == ["Alice Agent"]
    # Bob stops typing: his next beat says so.
    assert poll(bobs, ticket, typing="0").status_code == 200
    assert poll(alices, ticket).json()["typing"] == []
    # A viewer whose beats stopped drops off after VIEWING_SECONDS.
    later = time.time() + live.VIEWING_SECONDS + 1
    monkeypatch.setattr(live.time, "time", lambda: later)
    assert poll(alices, ticket).json()["viewers"] == []


def test_leaving_the_page_drops_the_viewer_at_once(client_for, agent, bob, requester):
    ticket = make_ticket(requester=requester)
    bobs = client_for(bob)
    poll(bobs, ticket)
    assert poll(client_for(agent), ticket).json()["viewers"] == ["Bob Agent"]
    assert bobs.post(f"/desk/tickets/{ticket.number}/live/leave/").status_code == 204
    assert poll(client_for(agent), ticket).json()["viewers"] == []


def test_the_poll_answers_only_to_a_token_of_its_ticket_from_a_desk_page(
    client, client_for, agent, requester, monkeypatch
):
    ticket = make_ticket(requester=requester)
    other = make_ticket(requester=requester)
    url = f"/desk/tickets/{ticket.number}/live/"
    assert client.get(url).json() == {"expired": True}
    assert client.get(url, headers={"X-Live-Token": "forged"}).status_code == 403
    foreign = live.poll_token(user=agent, number=other.number)
    assert client.get(url, headers={"X-Live-Token": foreign}).status_code == 403
    # A token lasts TOKEN_SECONDS; the page then draws itself again for a new one.
    token = live.poll_token(user=agent, number=ticket.number)
    assert client.get(url, headers={"X-Live-Token": token}).status_code == 200
    later = time.time() + live.TOKEN_SECONDS + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert client.get(url, headers={"X-Live-Token": token}).status_code == 403
    # Only the desk page hands tokens out, and only to desk staff.
    assert client_for(requester).get(f"/desk/tickets/{ticket.number}/").status_code == 403


def test_a_poll_reads_nothing_from_the_database(
    client_for, agent, requester, django_assert_num_queries
):
    ticket = make_ticket(requester=requester)
    client = client_for(agent)
    with django_assert_num_queries(0):  # not the session, not the user, not the ticket
        first = poll(client, ticket, v=ticket.version).json()
        response = poll(client, ticket, v=ticket.version, p=first["p"])
    assert response.status_code == 204


@pytest.fixture
def frozen_redis(settings, tmp_path):
    """A throw-away Redis for the cache that stops answering (SIGSTOP) but keeps its socket:
    every command waits for the cache's socket timeout, the worst a request can meet."""
    from itsm.core import cache as core_cache
    from tests.faults import ThrowawayRedis, cache_on

    redis = ThrowawayRedis(tmp_path)
    redis.start()
    cache_on(settings, redis.url)
    core_cache._skip_until = 0.0
    yield redis
    redis.stop()
    core_cache._skip_until = 0.0


def test_without_redis_the_poll_says_paused_without_waiting_and_the_page_works(
    client_for, agent, requester, frozen_redis
):
    ticket = make_ticket(requester=requester)
    client = client_for(agent)
    assert poll(client, ticket, v=ticket.version).status_code == 200
    frozen_redis.freeze()
    started = time.monotonic()
    assert poll(client, ticket, v=ticket.version).json() == {"paused": True}
    # The cache's socket timeout (50 ms), not Redis's silence; generous for a loaded machine.
    assert time.monotonic() - started < 0.5
    # Resting after the failure: the next poll does not even ask.
    started = time.monotonic()
    assert poll(client, ticket, v=ticket.version).json() == {"paused": True}
    assert time.monotonic() - started < 0.2
    assert client.get("/desk/tickets/live/queue/", {"since": time.time()}).json() == {
        "paused": True
    }
    response = client.get(f"/desk/tickets/{ticket.number}/")
    assert response.status_code == 200
    assert "Live updates paused" in response.content.decode()  # there, hidden until a poll fails


def test_the_queue_counts_what_changed_in_its_view_since_it_was_drawn(
    client_for, agent, bob, requester, service_desk_team, django_capture_on_commit_callbacks
):
    ticket = make_ticket(requester=requester)
    drawn = time.time()
    client = client_for(agent)
    url = "/desk/tickets/live/queue/"
    assert client.get(url, {"queue": "open", "since": drawn}).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket, bob)
        make_ticket(requester=requester, short_description="Printer on fire")
    assert client.get(url, {"queue": "open", "since": drawn}).json() == {
        "count": 2,
        "more": False,
    }
    # The same changes, seen through a view they are not in.
    assert client.get(url, {"queue": "open", "q": "nomatchword", "since": drawn}).status_code == 204
    assert client.get(url, {"queue": "open", "since": time.time()}).status_code == 204
    refused = client.get(url, {"queue": "open", "since": "yesterday"})
    assert refused.status_code == 400 and "since" in refused.json()


def test_the_ticket_page_and_queue_carry_the_live_parts(client_for, agent, requester):
    ticket = make_ticket(requester=requester)
    client = client_for(agent)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f'data-url="/desk/tickets/{ticket.number}/live/"' in page
    assert f'id="live-version" data-version="{ticket.version}"' in page
    queue = client.get("/desk/tickets/", {"queue": "open"}).content.decode()
    assert 'id="live-queue"' in queue
