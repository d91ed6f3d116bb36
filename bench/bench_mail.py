"""E-mail channel throughput: messages per second from a real Dovecot into tickets and
comments, and database queries per message. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/pytest \
        bench/bench_mail.py -p no:warnings -s -p no:xdist

It APPENDs a mix of new mail (from 20 known requesters) and replies (by ticket number in the
subject, to tickets raised beforehand), then times one `mailbox_poll` over STARTTLS that
fetches, processes and moves every message. Queries are counted for two batch sizes: when
the count per message is the same for both, it does not grow with the batch.
"""

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket
from tests.tickets.mail.conftest import (  # noqa: F401 (pytest fixtures used by name)
    crlf,
    dovecot,
    mail_settings,
    mailbox,
)
from tickets.mail.models import InboundMessage
from tickets.mail.services import mailbox_poll

pytestmark = pytest.mark.django_db


def _message(n: int, *, sender: str, subject: str) -> bytes:
    return crlf(
        f"From: Bench {n} <{sender}>\nTo: help@example.com\nSubject: {subject}\n"
        f"Message-ID: <bench-{n}-{time.monotonic_ns()}@bench.example.org>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        f"Message {n}: the VPN drops every few minutes since this morning.\n\n"
        "On Tue, 1 Dec 2026 Service Desk wrote:\n> Please restart and try again.\n".encode()
    )


def _run(dovecot, mailbox, people, tickets, count: int) -> tuple[float, float, int]:  # noqa: F811
    for n in range(count):
        person = people[n % len(people)]
        if n % 2:
            ticket = tickets[n % len(tickets)]
            raw = _message(n, sender=person.email, subject=f"Re: [{ticket.number}] VPN")
        else:
            raw = _message(n, sender=person.email, subject=f"New problem {n}")
        dovecot.append(raw, folder=mailbox.folder)
    with CaptureQueriesContext(connection) as queries:
        began, cpu = time.perf_counter(), time.process_time()
        result = mailbox_poll(mailbox_id=mailbox.pk)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert (result.processed, result.failed) == (count, 0), result.error
    return elapsed, cpu, len(queries)


def test_mail_throughput(dovecot, mailbox, settings):  # noqa: F811
    settings.ITSM_MAIL_SENDER_LIMIT_PER_HOUR = 10_000
    people = [UserFactory(email=f"bench{n}@example.com", roles=[Role.REQUESTER]) for n in range(20)]
    tickets = [make_ticket(requester=person) for person in people]
    figures = []
    for count in (50, 200):
        elapsed, cpu, queries = _run(dovecot, mailbox, people, tickets, count)
        figures.append((count, elapsed, cpu, queries))
    assert InboundMessage.objects.count() == 250
    load = os.getloadavg()[0]
    for count, elapsed, cpu, queries in figures:
        print(
            f"\n{count} messages (half new, half replies): {elapsed:.2f} s, "
            f"{count / elapsed:.1f} messages/s, {queries / count:.1f} queries per message "
            f"(this process's CPU {cpu * 1000 / count:.1f} ms/message; load average {load:.1f}: "
            "the machine is shared, so compare runs at a similar load)"
        )
