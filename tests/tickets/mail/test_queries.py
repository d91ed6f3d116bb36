"""Queries per message stay constant: a poll of many messages costs the same per message as
a poll of a few, for new mail and for replies (bench/bench_mail.py reports the figures)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket
from tests.tickets.mail.conftest import crlf
from tickets.mail.choices import InboundOutcome
from tickets.mail.models import InboundMessage
from tickets.mail.services import PollCache, mail_process

pytestmark = pytest.mark.django_db

# Measured 2026-12-03 (in a test, where the message's transaction is a savepoint pair more):
# 25 for a new ticket (ledger, ticket, audit, SLA clocks, outbox, suggested articles, raw
# message), 21 for a reply. A ceiling, so one more query per message is noticed.
NEW_TICKET_QUERIES = 25
REPLY_QUERIES = 21


def _raw(n: int, *, sender: str, subject: str) -> bytes:
    return crlf(
        f"From: Person {n} <{sender}>\nTo: help@example.com\nSubject: {subject}\n"
        f"Message-ID: <q-{n}-{time.monotonic_ns()}@mail.example.org>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        f"Message {n}: the VPN drops every few minutes.\n".encode()
    )


def _queries(mailbox, messages: list[bytes]) -> int:
    cache = PollCache.read()  # as one poll: each batch its own
    with CaptureQueriesContext(connection) as captured:
        for raw in messages:
            mail_process(mailbox=mailbox, raw=raw, cache=cache)
    return len(captured)


def test_queries_per_message_do_not_grow_with_the_batch(mailbox, settings):
    settings.ITSM_MAIL_SENDER_LIMIT_PER_HOUR = 10_000
    people = [UserFactory(email=f"q{n}@example.com", roles=[Role.REQUESTER]) for n in range(6)]
    tickets = [make_ticket(requester=person) for person in people]

    def new(count: int, start: int) -> list[bytes]:
        return [
            _raw(start + n, sender=people[n % 6].email, subject=f"New {start + n}")
            for n in range(count)
        ]

    def replies(count: int, start: int) -> list[bytes]:
        return [
            _raw(start + n, sender=people[n % 6].email, subject=f"Re: [{tickets[n % 6].number}]")
            for n in range(count)
        ]

    _queries(mailbox, new(1, 0) + replies(1, 1))  # first-use caches (content types, policies)

    small_new, big_new = _queries(mailbox, new(2, 10)), _queries(mailbox, new(6, 20))
    small_reply, big_reply = _queries(mailbox, replies(2, 30)), _queries(mailbox, replies(6, 40))

    assert big_new == 3 * small_new
    assert big_reply == 3 * small_reply
    assert small_new / 2 <= NEW_TICKET_QUERIES
    assert small_reply / 2 <= REPLY_QUERIES
    # One sender's account (and permissions) is read once per poll, not once per message.
    one_sender = [
        _raw(50 + n, sender=people[0].email, subject=f"Re: [{tickets[0].number}]") for n in range(6)
    ]
    # (the account: 1 fewer per repeat; roles and permissions come from the cache anyway)
    assert _queries(mailbox, one_sender) == big_reply - 5 * 1
    outcomes = InboundMessage.objects.values_list("outcome", flat=True)
    assert list(outcomes).count(InboundOutcome.TICKET) == 9
    assert list(outcomes).count(InboundOutcome.COMMENT) == 15
