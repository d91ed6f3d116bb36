"""The SLA sweep: thresholds fire once, across repeated runs, retries and concurrent workers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from itsm.notifications.models import Notification, WebhookSubscription
from tests.concurrency import run_at_once
from tests.factories.tickets import make_ticket
from tests.tickets.sla.defaults import sla_defaults  # noqa: F401
from tickets import services
from tickets.models import SlaClock, SlaThresholdFired
from tickets.sla import services as sla_services
from tickets.sla.rules import SlaMetric, SlaState
from tickets.sla.services import sla_sweep, sla_sweep_batch
from tickets.sla.tasks import sla_sweep as sla_sweep_task

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def resolution(ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=SlaMetric.RESOLUTION)


def sla_rows():
    return Notification.objects.filter(event__in=["sla_warning", "sla_breached"])


def sla_mail(event: str):
    return Notification.objects.filter(event=event, channel="email")


@pytest.fixture
def assigned_p1(requester, agent, manager, service_desk_team):
    """GIVEN a P1 incident (30 min response, 4 h resolution) assigned to `agent`."""
    with time_machine.travel(T0, tick=False):
        return make_ticket(
            requester=requester,
            actor=agent,
            impact=1,
            urgency=1,
            assignment_team=service_desk_team,
            assignee=agent,
        )


@pytest.mark.django_db
def test_each_threshold_fires_once_even_when_the_sweep_runs_twice(assigned_p1, agent, manager):
    with time_machine.travel(T0 + timedelta(hours=3, minutes=1), tick=False):  # 75 % of 4 h
        sla_sweep()
        sla_sweep()
    fired = SlaThresholdFired.objects.filter(clock=resolution(assigned_p1))
    assert list(fired.values_list("threshold", flat=True)) == [75]
    warnings = sla_mail("sla_warning").filter(record_id=assigned_p1.pk)
    # The response clock breached long ago (30 min) and the resolution clock warned at 75 %.
    assert {n.target for n in warnings} == {agent.email, manager.email}
    assert resolution(assigned_p1).next_threshold == 90
    # The warning names the due time, to the minute, in the desk's timezone.
    due = timezone.localtime(resolution(assigned_p1).due_at)
    assert {n.context["message"].splitlines()[-1] for n in warnings} == {
        f"Priority P1. Due {due:%Y-%m-%d %H:%M}."
    }


@pytest.mark.django_db
def test_a_late_sweep_fires_every_passed_threshold_in_order_and_breaches(assigned_p1, manager):
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        sla_sweep()
    clock = resolution(assigned_p1)
    assert list(clock.fired.values_list("threshold", flat=True)) == [75, 90, 100]
    assert clock.state == SlaState.BREACHED
    assert clock.next_due_at is None
    breach_mail = sla_mail("sla_breached").filter(record_id=assigned_p1.pk)
    # Two clocks breached; the P1 policy also tells the service desk manager.
    assert breach_mail.filter(target=manager.email).count() == 2


@pytest.mark.django_db
def test_the_retried_task_sends_nothing_new(assigned_p1):
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        sla_sweep_task.apply()
        before = Notification.objects.count()
        sla_sweep_task.apply()
    assert Notification.objects.count() == before
    assert SlaThresholdFired.objects.count() == 6


@pytest.mark.django_db
def test_a_paused_clock_is_not_swept(assigned_p1, agent):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.ticket_transition(
            ticket=assigned_p1,
            to_status="on_hold",
            actor=agent,
            expected_version=None,
            on_hold_reason="awaiting_requester",
        )
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        sla_sweep()
    assert not resolution(assigned_p1).fired.exists()


@pytest.mark.django_db
def test_breach_with_raise_priority_raises_one_step_and_audits(requester, agent):
    from itsm.audit.models import AuditEvent
    from tickets.models import SlaPolicy

    SlaPolicy.objects.filter(name="P3 default").update(raise_priority_at_breach=True)
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=requester, impact=1, urgency=3)  # P3
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        sla_sweep()
    ticket.refresh_from_db()
    assert ticket.priority == 2
    assert AuditEvent.objects.filter(record_id=ticket.pk, action="priority_raised").exists()


@pytest.mark.django_db
def test_a_sweep_batch_runs_a_constant_number_of_queries_including_the_outbox(
    requester, agent, manager, django_assert_max_num_queries
):
    # Assigned tickets whose team lead is the desk manager, and a webhook subscriber: every
    # breach writes two email rows (assignee; lead and manager are one person) and a webhook.
    WebhookSubscription.objects.create(name="Chat", url="http://127.0.0.1:9/hook", events=[])
    team = agent.teams.first()

    def open_tickets(count):
        with time_machine.travel(T0, tick=False):
            for _ in range(count):
                make_ticket(requester=requester, actor=agent, assignee=agent, assignment_team=team)

    open_tickets(3)
    later = time_machine.travel(T0 + timedelta(days=30), tick=False)
    with later, django_assert_max_num_queries(20) as small:
        sla_sweep_batch(batch_size=500)
    small_rows = sla_rows().count()
    open_tickets(12)
    later = time_machine.travel(T0 + timedelta(days=30), tick=False)
    with later, django_assert_max_num_queries(20) as large:
        sla_sweep_batch(batch_size=500)

    def statements(ctx):
        return [q["sql"][:60] for q in ctx.captured_queries]

    # 6 notified clocks, then 24: the same statements, outbox included (claim with the
    # tickets and their people, policies, calendar hours and closed dates, insert fired,
    # managers, subscriptions, one outbox INSERT, update).
    assert len(statements(small)) == len(statements(large)), statements(large)
    # The outbox rows, the webhook subscriptions, and the desk's in-app lines: one each.
    assert sum("notifications_" in sql for sql in statements(large)) == 3
    # 30 clocks caught up on 75, 90 and 100 %; each tells people about the breach only.
    assert SlaThresholdFired.objects.count() == 90
    # Each notified clock wrote its rows in the sweep's transaction: two people, one webhook.
    assert small_rows == 6 * 3
    assert sla_rows().count() == 30 * 3
    assert sla_rows().filter(channel="webhook").count() == 30


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_fire_each_threshold_exactly_once(requester, agent, manager):
    with time_machine.travel(T0, tick=False):
        tickets = [
            make_ticket(
                requester=requester,
                actor=agent,
                assignee=agent,
                assignment_team=agent.teams.first(),
            )
            for _ in range(20)
        ]

    def sweep():
        with time_machine.travel(T0 + timedelta(days=2), tick=False):
            return sla_sweep(batch_size=7)

    swept = run_at_once(sweep, sweep)
    assert all(isinstance(count, int) for count in swept), swept
    assert sum(swept) == 20  # each due response clock claimed by exactly one of the two
    # P5: response (24 h) breached; resolution (5 days) at 2 days is below 75 %.
    fired = SlaThresholdFired.objects.filter(clock__ticket__in=tickets)
    assert fired.count() == 20 * 3
    assert sorted(set(fired.values_list("threshold", flat=True))) == [75, 90, 100]
    per_ticket = (
        sla_mail("sla_breached").filter(target=agent.email).values_list("record_id", flat=True)
    )
    assert sorted(per_ticket) == sorted(t.pk for t in tickets)


@pytest.mark.django_db
def test_batches_of_different_sizes_run_the_same_statements(
    requester, agent, django_assert_max_num_queries
):
    team = agent.teams.first()
    with time_machine.travel(T0, tick=False):
        for _ in range(10):  # 20 clocks
            make_ticket(requester=requester, actor=agent, assignee=agent, assignment_team=team)
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        with django_assert_max_num_queries(12) as small:
            assert sla_sweep_batch(batch_size=4) == 4
        with django_assert_max_num_queries(12) as large:
            assert sla_sweep_batch(batch_size=16) == 16

    def statements(ctx):
        return [q["sql"].split('"s')[0][:40] for q in ctx.captured_queries]  # savepoint ids

    assert statements(small) == statements(large)
    assert sla_rows().filter(channel="email").values("record_id").distinct().count() == 10


@pytest.mark.django_db
def test_the_batch_update_keeps_due_times_to_the_microsecond(requester, agent):
    with time_machine.travel(T0 + timedelta(microseconds=123_456), tick=False):
        ticket = make_ticket(requester=requester, actor=agent, impact=1, urgency=1)
    due_before = resolution(ticket).due_at
    with time_machine.travel(T0 + timedelta(hours=3, minutes=1), tick=False):
        sla_sweep()
    clock = resolution(ticket)
    assert clock.next_threshold == 90  # swept: the batch UPDATE wrote this row
    assert due_before.microsecond == 123_456
    assert clock.due_at == due_before


# --- Fanning out: the beat-started sweep starts helpers when there is a backlog ---


@pytest.fixture
def published_helpers(monkeypatch, settings):
    """Small batches, three sweep loops, and helper publishes recorded instead of sent."""
    monkeypatch.setattr(sla_services, "SWEEP_BATCH_SIZE", 2)
    settings.ITSM_SLA_SWEEP_WORKERS = 3
    published = []
    monkeypatch.setattr(sla_sweep_task, "apply_async", lambda **options: published.append(options))
    return published


def due_tickets(requester, agent, count):
    """`count` P3 tickets whose clocks are all past a threshold at T0 + 30 days."""
    team = agent.teams.first()
    with time_machine.travel(T0, tick=False):
        return [
            make_ticket(requester=requester, actor=agent, assignee=agent, assignment_team=team)
            for _ in range(count)
        ]


@pytest.mark.django_db
def test_a_backlog_starts_helper_sweeps_that_start_no_more(
    requester, agent, published_helpers, settings
):
    due_tickets(requester, agent, 3)  # 6 due clocks, batches of 2
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert sla_sweep_task.apply().get() == 6
    assert (
        published_helpers
        == [{"kwargs": {"fan_out": False}, "expires": settings.ITSM_SLA_SWEEP_SECONDS}] * 2
    )
    # A helper never fans out again, however big the backlog it finds.
    due_tickets(requester, agent, 3)
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert sla_sweep_task.apply(kwargs={"fan_out": False}).get() == 6
    assert len(published_helpers) == 2


@pytest.mark.django_db
def test_one_batch_of_work_starts_no_helper(requester, agent, published_helpers):
    due_tickets(requester, agent, 1)  # 2 due clocks: exactly one batch
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert sla_sweep_task.apply().get() == 2
    assert published_helpers == []


@pytest.mark.django_db
def test_a_broker_failure_leaves_the_sweep_to_finish_alone(requester, agent, monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    monkeypatch.setattr(sla_services, "SWEEP_BATCH_SIZE", 2)
    attempts = []

    def broker_down(**options):
        attempts.append(options)
        raise OperationalError("Connection refused")

    monkeypatch.setattr(sla_sweep_task, "apply_async", broker_down)
    due_tickets(requester, agent, 3)
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert sla_sweep_task.apply().get() == 6
    assert len(attempts) == 1  # gave up on the helpers at the first failure
    assert "sweeping alone" in caplog.text
    assert not SlaClock.objects.filter(
        state=SlaState.RUNNING, next_due_at__lte=T0 + timedelta(days=30)
    ).exists()


@pytest.mark.django_db
def test_helpers_run_eagerly_share_the_backlog_and_notify_once(
    requester, agent, monkeypatch, eager_celery
):
    monkeypatch.setattr(sla_services, "SWEEP_BATCH_SIZE", 2)
    tickets = due_tickets(requester, agent, 4)
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        # The helper runs inline before the first batch, takes everything, and the
        # beat-started sweep then finds nothing left.
        assert sla_sweep_task.apply().get() == 0
    fired = SlaThresholdFired.objects.filter(clock__ticket__in=tickets)
    assert fired.count() == 4 * 2 * 3  # two clocks each, past 75, 90 and 100 %
    breaches = sla_mail("sla_breached").filter(target=agent.email)
    assert sorted(breaches.values_list("record_id", flat=True)) == sorted(
        t.pk for t in tickets for _ in range(2)
    )


@pytest.mark.django_db
def test_a_sweep_reads_policies_calendars_and_managers_once_for_all_its_batches(
    requester, agent, manager
):
    from django.test.utils import CaptureQueriesContext

    team = agent.teams.first()
    with time_machine.travel(T0, tick=False):
        for _ in range(4):  # P1: its policy tells the desk managers about breaches
            make_ticket(
                requester=requester,
                actor=agent,
                impact=1,
                urgency=1,
                assignee=agent,
                assignment_team=team,
            )
    # 8 due clocks: four batches of two, and an empty one.
    with (
        time_machine.travel(T0 + timedelta(days=30), tick=False),
        CaptureQueriesContext(connection) as ctx,
    ):
        assert sla_sweep(batch_size=2) == 8

    def count(table):
        return sum(f'FROM "{table}"' in q["sql"] for q in ctx.captured_queries)

    assert count("tickets_slapolicy") == 1
    assert count("calendars_closeddate") == 1
    # The desk managers, told about the breaches (once), and which recipients of each batch's
    # messages are desk staff with a bell (once per batch of 2: 4 batches).
    assert count("accounts_user") == 1 + 4
    # One claim per batch (the last one finds nothing); it reads the tickets and their people.
    assert count("tickets_slaclock") == 5
    assert count("tickets_ticket") == 0
