"""Concurrency against the real database: numbers and optimistic locking."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.concurrency import run_at_once
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_200_parallel_creates_get_200_distinct_numbers(requester, settings):
    @in_thread
    def create(i):
        return services.ticket_create(
            actor=requester, requester=requester, short_description=f"parallel {i}"
        ).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(create, range(200)))
    assert len(set(numbers)) == 200
    assert Ticket.objects.count() == 200


def test_two_updates_with_the_same_version_one_wins_one_is_refused(requester, agent, manager):
    ticket = make_ticket(requester=requester)

    def edit(actor, field):
        return lambda: services.ticket_update(
            ticket=ticket, actor=actor, expected_version=1, **{field: 1}
        )

    outcomes = run_at_once(edit(agent, "impact"), edit(manager, "urgency"))
    assert sorted(type(o).__name__ for o in outcomes) == ["StaleVersion", "Ticket"]
    ticket.refresh_from_db()
    assert ticket.version == 2
    assert (ticket.impact, ticket.urgency) in ((1, 3), (3, 1))
