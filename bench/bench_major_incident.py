"""Time from a major-incident declaration's commit to the first webhook delivery, with a
running Celery worker (median of 20). Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/pytest \
        bench/bench_major_incident.py -p no:warnings -s -m worker

It reuses the test suite's real-worker fixture (its own Redis queue, the test database) and a
loopback HTTP receiver, and prints min / median / p90 / max in milliseconds.
"""

import statistics
import time

import pytest
from django.db import transaction

from itsm.notifications.models import WebhookSubscription
from tests.conftest import (  # noqa: F401 (pytest fixtures used by name)
    agent,
    celery_app_for_tests,
    celery_worker,
    manager,
    requester,
    service_desk_team,
)
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tests.tickets.webhook_receiver import webhook_receiver
from tickets.major.services import major_incident_declare

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
RUNS = 20


def test_declaration_to_first_webhook_delivery(celery_worker, requester, agent, manager):  # noqa: F811
    service = ServiceFactory(name="Payroll", criticality="critical")
    tickets = [
        make_ticket(requester=requester, actor=agent, service=service, impact=1, urgency=1)
        for _ in range(RUNS)
    ]
    timings = []
    with webhook_receiver() as (url, received):
        WebhookSubscription.objects.create(name="Chat", url=f"{url}/hook", service=service)
        for ticket in tickets:
            before = len(received)
            with transaction.atomic():
                major_incident_declare(
                    ticket=ticket,
                    actor=manager,
                    reason="bench",
                    manager=manager,
                    communications_owner=agent,
                )
            committed = time.time()
            deadline = time.monotonic() + 20
            while len(received) == before and time.monotonic() < deadline:
                time.sleep(0.002)
            assert len(received) > before, "no webhook within 20 s"
            timings.append((received[before]["at"] - committed) * 1000)
    timings.sort()
    print(
        f"\ncommit → first webhook delivery over {RUNS} declarations (ms): "
        f"min {timings[0]:.0f}, median {statistics.median(timings):.0f}, "
        f"p90 {timings[int(RUNS * 0.9) - 1]:.0f}, max {timings[-1]:.0f}"
    )
