"""Live ticket pages and queues (issue 21), two agents in two browsers at once: Alice sees
Bob's presence, typing, reply and status change within 5 s without a reload, and what she is
typing stays; the reply box warns when Bob sent meanwhile and lets her send anyway; the queue
says "N new or changed — refresh"; with Redis stopped the page works and says live updates
are paused."""

import time

import pytest
from playwright.sync_api import expect

from itsm.accounts.roles import Role
from itsm.core import cache as core_cache
from tests.e2e.test_sign_in import sign_in
from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket
from tests.faults import ThrowawayRedis, cache_on
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WITHIN = 5_000  # ms: the bound for every live update


@pytest.fixture
def bob(service_desk_team):
    user = UserFactory(email="bob@example.com", display_name="Bob Agent", roles=[Role.AGENT])
    service_desk_team.members.add(user)
    return user


@pytest.fixture
def bobs_page(browser, live_server, bob):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, bob.email)
    yield page
    context.close()


def open_ticket(page, live_server, ticket):
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    # Set on the window: a reload would lose it.
    page.evaluate("window.notReloaded = true")


def test_alice_sees_bob_viewing_typing_replying_and_changing_the_status(
    live_server, page, bobs_page, agent, bob, requester
):
    ticket = make_ticket(requester=requester, short_description="VPN drops every hour")
    sign_in(page, live_server.url, agent.email)
    open_ticket(page, live_server, ticket)
    page.get_by_label("Message").fill("Half-written answer of Alice")
    presence = page.locator("#live-presence")
    expect(presence).to_be_empty()

    open_ticket(bobs_page, live_server, ticket)
    expect(presence).to_have_text("Bob Agent is viewing", timeout=WITHIN)
    expect(bobs_page.locator("#live-presence")).to_contain_text("Alice Agent")

    # Bob types on, as a person does, for as long as the bound: the page says so within it
    # even when one of his beats is lost to a busy machine (the next keystroke sends again).
    box = bobs_page.get_by_label("Message")
    box.press_sequentially("On it")
    typing = "Bob Agent is typing a reply…"
    deadline = time.monotonic() + WITHIN / 1000
    while typing not in (presence.text_content() or "") and time.monotonic() < deadline:
        box.press_sequentially(".")
        page.wait_for_timeout(250)
    expect(presence).to_contain_text(typing, timeout=500)

    bobs_page.get_by_label("New status").select_option(label="Start work")
    bobs_page.get_by_role("button", name="Update status").click()
    expect(bobs_page.locator("#ticket-status")).to_contain_text("In progress")
    expect(page.locator("#ticket-status")).to_contain_text("In progress", timeout=WITHIN)
    # Bob's box was drawn afresh by his own move: he is no longer typing.
    expect(presence).to_have_text("Bob Agent is viewing", timeout=WITHIN)

    bobs_page.get_by_label("Message").fill("Please reinstall the VPN client.")
    bobs_page.get_by_role("button", name="Send", exact=False).first.click()
    expect(bobs_page.locator(".conversation")).to_contain_text("Please reinstall the VPN client.")
    expect(page.locator(".conversation")).to_contain_text(
        "Please reinstall the VPN client.", timeout=WITHIN
    )

    # Alice's half-written answer is untouched and the page was never reloaded.
    expect(page.get_by_label("Message")).to_have_value("Half-written answer of Alice")
    assert page.evaluate("window.notReloaded") is True

    bobs_page.context.close()
    expect(presence).to_be_empty(timeout=WITHIN)


def test_the_reply_box_warns_when_someone_else_sent_meanwhile_and_sends_anyway(
    live_server, page, bobs_page, agent, bob, requester
):
    ticket = make_ticket(requester=requester, short_description="Printer jams on floor 3")
    sign_in(page, live_server.url, agent.email)
    open_ticket(page, live_server, ticket)
    page.get_by_label("Message").fill("I will send a technician.")

    open_ticket(bobs_page, live_server, ticket)
    bobs_page.get_by_label("Message").fill("A technician is on the way.")
    bobs_page.get_by_role("button", name="Send", exact=False).first.click()
    expect(page.locator(".conversation")).to_contain_text(
        "A technician is on the way.", timeout=WITHIN
    )

    page.get_by_label("Message").press("Control+Enter")
    warning = page.locator("#live-reply-warning")
    expect(warning).to_contain_text("Bob Agent sent a message on this ticket")
    assert Ticket.objects.get(pk=ticket.pk).comments.count() == 1  # nothing sent yet
    expect(page.get_by_label("Message")).to_have_value("I will send a technician.")

    page.get_by_role("button", name="Send anyway").click()
    expect(page.locator(".conversation")).to_contain_text("I will send a technician.")
    expect(page.locator("#live-reply-warning")).to_have_count(0)
    assert Ticket.objects.get(pk=ticket.pk).comments.count() == 2
    assert page.evaluate("window.notReloaded") is True


def test_without_someone_else_sending_the_reply_goes_at_once(
    live_server, page, agent, bob, requester
):
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, agent.email)
    open_ticket(page, live_server, ticket)
    # Bob changes a field meanwhile: shown live, and no reason to stop Alice's reply.
    services.ticket_update(ticket=ticket, actor=bob, expected_version=ticket.version, impact=1)
    expect(page.locator("#ticket-impact")).to_contain_text("1 ×", timeout=WITHIN)
    page.get_by_label("Message").fill("Looking into it now.")
    page.get_by_role("button", name="Send", exact=False).first.click()
    expect(page.locator(".conversation")).to_contain_text("Looking into it now.")
    expect(page.locator("#live-reply-warning")).to_have_count(0)


def test_the_queue_says_how_many_are_new_or_changed(live_server, page, agent, bob, requester):
    ticket = make_ticket(requester=requester, short_description="Laptop will not dock")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/tickets/?queue=open")
    expect(page.locator(".ticket-table")).to_contain_text("Laptop will not dock")
    notice = page.locator("#live-queue-notice")
    expect(notice).to_be_hidden()

    services.comment_add(
        ticket=ticket, author=bob, body="Working on it", is_public=True, expected_version=1
    )
    make_ticket(requester=requester, short_description="Monitor flickers")
    expect(notice).to_have_text("2 new or changed — refresh", timeout=WITHIN)

    notice.click()
    expect(page.locator(".ticket-table")).to_contain_text("Monitor flickers")
    expect(page.locator("#live-queue-notice")).to_be_hidden()


@pytest.fixture
def own_redis(settings, tmp_path):
    """A throw-away Redis for the cache (never the shared one), which the test stops."""
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    cache_on(settings, redis.url)
    core_cache._skip_until = 0.0
    yield redis
    redis.stop()
    core_cache._skip_until = 0.0


def test_with_redis_stopped_the_page_works_and_says_live_updates_are_paused(
    live_server, page, bobs_page, agent, bob, requester, own_redis
):
    ticket = make_ticket(requester=requester, short_description="Wi-Fi slow in the lobby")
    sign_in(page, live_server.url, agent.email)
    open_ticket(page, live_server, ticket)
    open_ticket(bobs_page, live_server, ticket)
    expect(page.locator("#live-presence")).to_have_text("Bob Agent is viewing", timeout=WITHIN)
    paused = page.get_by_text("Live updates paused")
    expect(paused).to_be_hidden()

    own_redis.kill()
    expect(paused).to_be_visible(timeout=WITHIN)
    expect(page.locator("#live-presence")).to_be_empty()

    # The page still works: a reply goes, a status moves.
    page.get_by_label("Message").fill("Checking the access point.")
    page.get_by_role("button", name="Send", exact=False).first.click()
    expect(page.locator(".conversation")).to_contain_text("Checking the access point.")
    page.reload()
    expect(page.locator(".conversation")).to_contain_text("Checking the access point.")
    expect(page.get_by_text("Live updates paused")).to_be_visible(timeout=WITHIN)

    # Redis back: the notice goes and presence returns on its own.
    own_redis.start()
    expect(page.get_by_text("Live updates paused")).to_be_hidden(timeout=15_000)
    expect(page.locator("#live-presence")).to_have_text("Bob Agent is viewing", timeout=15_000)
