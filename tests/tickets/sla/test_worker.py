"""The SLA sweep's warnings reach people through the outbox and a real Celery worker."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from itsm.notifications.models import Notification
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets.models import SlaClock
from tickets.sla.services import sla_sweep

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _rebuild_celery_router() -> None:
    # Celery caches its router on first publish (see tests/notifications/conftest.py).
    from itsm.celery import app

    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


@pytest.fixture(scope="module", autouse=True)
def _celery_router_follows_config():
    yield
    _rebuild_celery_router()


@pytest.fixture(scope="module")
def celery_app_for_tests(celery_app_for_tests):
    _rebuild_celery_router()
    return celery_app_for_tests


def test_a_swept_threshold_is_emailed_once_by_a_real_worker(
    celery_worker, requester, agent, mailoutbox
):
    ticket = make_ticket(
        requester=requester,
        actor=agent,
        impact=1,
        urgency=1,
        assignee=agent,
        assignment_team=agent.teams.first(),
    )
    # The response clock reaches its 75 % mark. (Moved in the data, not with time_machine:
    # travelling the clock under a running worker thread would shift its timers.)
    SlaClock.objects.filter(ticket=ticket, metric="first_response").update(
        next_due_at=timezone.now() - timedelta(seconds=1)
    )

    assert sla_sweep() == 1
    rows = Notification.objects.filter(event="sla_warning", record_id=ticket.pk)
    assert rows.count() >= 1  # committed with the fired threshold, delivered afterwards

    def warnings():
        # Creating and assigning the ticket sends its own emails; count the SLA ones.
        return [m for m in mail.outbox if m.extra_headers["X-ITSM-Event"] == "sla_warning"]

    deadline = time.monotonic() + 20
    while len(warnings()) < rows.count() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sla_sweep() == 0  # a second sweep finds nothing due and sends nothing
    time.sleep(1)  # a duplicate delivery would arrive now

    assert agent.email in [m.to[0] for m in warnings()]
    assert len(warnings()) == rows.count()
    assert all(ticket.number in m.subject for m in warnings())
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}


def test_a_backlog_sweep_on_the_worker_starts_a_helper_sweep_through_the_broker(
    celery_worker, requester, agent, monkeypatch, settings
):
    from tickets.models import SlaThresholdFired
    from tickets.sla import services as sla_services
    from tickets.sla.tasks import sla_sweep as sla_sweep_task

    monkeypatch.setattr(sla_services, "SWEEP_BATCH_SIZE", 2)
    settings.ITSM_SLA_SWEEP_WORKERS = 2
    team = agent.teams.first()
    tickets = [
        make_ticket(requester=requester, actor=agent, assignee=agent, assignment_team=team)
        for _ in range(3)
    ]
    SlaClock.objects.filter(ticket__in=tickets).update(
        next_due_at=timezone.now() - timedelta(seconds=1)
    )  # six clocks at their 75 % mark: three batches of two
    runs = []
    real_sweep = sla_services.sla_sweep

    def recorded_sweep(**kwargs):
        claimed = real_sweep(**kwargs)
        runs.append(("started by beat" if kwargs.get("on_backlog") else "helper", claimed))
        return claimed

    monkeypatch.setattr(sla_services, "sla_sweep", recorded_sweep)

    sla_sweep_task.delay()  # what beat does every minute
    deadline = time.monotonic() + 20
    while len(runs) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)

    assert sorted(kind for kind, _ in runs) == ["helper", "started by beat"]
    assert sum(claimed for _, claimed in runs) == 6
    fired = SlaThresholdFired.objects.filter(clock__ticket__in=tickets)
    assert sorted(fired.values_list("threshold", flat=True)) == [75] * 6
