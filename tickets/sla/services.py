"""SLA clock writes: start, pause/resume/stop on the life cycle, re-evaluation, and the sweep.

Called only by `tickets.services` (inside the ticket's transaction, with the ticket locked)
and by the `sla_sweep` task. Never imports `tickets.services`. Rules and arithmetic live in
`tickets.sla.rules` and `itsm.calendars`; this module loads rows, applies them and saves.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, OuterRef, Subquery
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.audit.services import audit_record
from itsm.calendars.arithmetic import CalendarSpec
from itsm.calendars.models import BusinessCalendar
from itsm.calendars.selectors import calendar_spec
from itsm.core.cache import forget
from itsm.core.permissions import actor_may, require_permission
from itsm.core.sql import json_rows
from itsm.notifications.services import (
    NotificationRequest,
    Recipient,
    RecordRef,
    notification_create_many,
)
from tickets import permissions as may
from tickets.choices import TicketStatus
from tickets.links import desk_ticket_paths
from tickets.models import SlaClock, SlaPolicy, SlaThresholdFired, Ticket
from tickets.sla import rules as sla
from tickets.sla.rules import BREACH, SlaMetric, SlaState
from tickets.sla.selectors import ACTIVE_POLICIES_KEY, sla_policies_active

logger = logging.getLogger(__name__)

SWEEP_BATCH_SIZE = 500
CLOCK_TIME_FIELDS = [
    "policy",
    "target_minutes",
    "state",
    "running_since",
    "elapsed",
    "paused_since",
    "paused_total",
    "stopped_at",
    "due_at",
    "next_due_at",
    "next_threshold",
]


# --- Helpers ---


class _Specs:
    """Calendar specs by calendar id, built once per service call or sweep."""

    def __init__(self) -> None:
        self._by_id: dict[int, CalendarSpec] = {}

    def get(self, calendar: BusinessCalendar) -> CalendarSpec:
        if calendar.pk not in self._by_id:
            self._by_id[calendar.pk] = calendar_spec(calendar)
        return self._by_id[calendar.pk]


def sla_policies_forget() -> None:
    forget(ACTIVE_POLICIES_KEY)


def _fits(policy: SlaPolicy, ticket: Ticket) -> bool:
    return (
        policy.kind in ("", ticket.kind)
        and policy.priority in (None, ticket.priority)
        and policy.service_id in (None, ticket.service_id)
        and policy.category_id in (None, ticket.category_id)
    )


def sla_policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy, by order, whose match fields fit the ticket (DESIGN §4).

    A handful of rows, read on every create and re-triage: cached with their calendars until
    a policy or a calendar changes (tickets.signals)."""
    return next((policy for policy in sla_policies_active() if _fits(policy, ticket)), None)


def _refresh_times(clock: "SlaClock | _SweptClock", spec: CalendarSpec) -> None:
    times = sla.clock_times(
        target=clock.target,
        elapsed=clock.elapsed,
        running_since=clock.running_since,
        next_threshold=clock.next_threshold if clock.state == SlaState.RUNNING else None,
        spec=spec,
    )
    if clock.running_since is not None:
        clock.due_at = times.due_at
    clock.next_due_at = times.next_due_at if clock.state == SlaState.RUNNING else None


def _fold_running(clock: SlaClock, now: datetime, spec: CalendarSpec) -> None:
    """Move the running segment's business time into `elapsed` (the stored history)."""
    if clock.running_since is not None:
        clock.elapsed = sla.elapsed_at(
            elapsed=clock.elapsed, running_since=clock.running_since, now=now, spec=spec
        )
        clock.running_since = None


def _pause(clock: SlaClock, now: datetime, spec: CalendarSpec) -> None:
    if clock.stopped_at is not None or clock.running_since is None:
        return
    _fold_running(clock, now, spec)
    clock.paused_since = now
    if clock.state == SlaState.RUNNING:
        clock.state = SlaState.PAUSED
    # A paused clock has time left but no due instant (it would move with every minute).
    clock.due_at = None
    clock.next_due_at = None


def _resume(clock: SlaClock, now: datetime, spec: CalendarSpec) -> None:
    if clock.stopped_at is not None or clock.paused_since is None:
        return
    clock.paused_total += now - clock.paused_since
    clock.paused_since = None
    clock.running_since = now
    if clock.state == SlaState.PAUSED:
        clock.state = SlaState.RUNNING
    _refresh_times(clock, spec)


def _stop(clock: SlaClock, now: datetime, spec: CalendarSpec, *, cancelled: bool = False) -> None:
    if clock.stopped_at is not None:
        return
    _fold_running(clock, now, spec)
    if clock.paused_since is not None:
        clock.paused_total += now - clock.paused_since
        clock.paused_since = None
    clock.stopped_at = now
    clock.next_due_at = None
    if clock.state == SlaState.BREACHED:
        return
    if cancelled:
        clock.state = SlaState.CANCELLED
    else:
        # Past the target but not swept yet (the sweep runs once a minute): still a breach.
        clock.state = SlaState.BREACHED if clock.elapsed > clock.target else SlaState.MET


def _restart(clock: SlaClock, now: datetime, spec: CalendarSpec) -> None:
    """Reopen: the clock counts on from the business time it had used, not from zero."""
    if clock.stopped_at is None:
        return
    clock.stopped_at = None
    clock.running_since = now
    if clock.state in (SlaState.MET, SlaState.CANCELLED):
        clock.state = SlaState.RUNNING
    _refresh_times(clock, spec)


# Clocks in these states count towards the ticket's SLA due instant (Ticket.sla_due_at).
DUE_STATES = (SlaState.RUNNING, SlaState.BREACHED)


def _earliest_due(clocks: list[SlaClock]) -> datetime | None:
    return min((c.due_at for c in clocks if c.state in DUE_STATES and c.due_at), default=None)


def _ticket_due_follows(ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Store the earliest due instant of `clocks` (all of the ticket's) on the ticket, when
    it moved; the caller holds the ticket's lock, and a later save of `ticket` keeps it."""
    due = _earliest_due(clocks)
    if due != ticket.sla_due_at:
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due)
        ticket.sla_due_at = due


def sla_due_refresh(*, ticket_ids: Any = None) -> int:
    """Recompute Ticket.sla_due_at from the clocks in one statement, for clocks written
    around the services: the migration that added the field, demo and benchmark data, tests.
    `ticket_ids` (ids or a query of them) limits it; by default every ticket with a clock or
    a due instant. Returns the number of tickets updated."""
    if ticket_ids is None:
        ticket_ids = SlaClock.objects.values("ticket_id").union(
            Ticket.objects.filter(sla_due_at__isnull=False).values("id")
        )
    earliest = (
        SlaClock.objects.filter(ticket=OuterRef("pk"), state__in=DUE_STATES)
        .order_by()
        .values("ticket")
        .annotate(due=Min("due_at"))
        .values("due")
    )
    return Ticket.objects.filter(pk__in=ticket_ids).update(sla_due_at=Subquery(earliest))


def _locked_clocks(ticket: Ticket) -> list[SlaClock]:
    return list(
        SlaClock.objects.filter(ticket=ticket)
        .select_related("policy__calendar")
        .select_for_update(of=("self",))
        .order_by("metric")
    )


def _new_clocks(
    ticket: Ticket, policy: SlaPolicy, now: datetime, spec: CalendarSpec
) -> list[SlaClock]:
    clocks = []
    for metric in (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION):
        clock = SlaClock(
            ticket=ticket,
            metric=metric,
            policy=policy,
            target_minutes=int(policy.target_for(metric).total_seconds() // 60),
            state=SlaState.RUNNING,
            started_at=now,
            running_since=now,
            next_threshold=sla.next_threshold_after(None, policy.warning_thresholds),
        )
        _refresh_times(clock, spec)
        clocks.append(clock)
    return clocks


# --- Life cycle (called by tickets.services) ---


# Inside the caller's transaction (a new ticket's): no savepoint of its own to pay for.
def sla_clocks_planned(*, ticket: Ticket) -> list[SlaClock]:
    """The first-response and resolution clocks of a ticket about to be saved, from its
    policy, not saved yet; the ticket's due instant is set from them, so its own INSERT
    carries it. No matching active policy: no clocks (no promised service level).
    `sla_clocks_store` saves them once the ticket has its id."""
    policy = sla_policy_for(ticket)
    if policy is None:
        return []
    clocks = _new_clocks(ticket, policy, timezone.now(), _Specs().get(policy.calendar))
    ticket.sla_due_at = _earliest_due(clocks)
    return clocks


def sla_clocks_store(clocks: list[SlaClock]) -> list[SlaClock]:
    """Save the clocks planned for a new ticket, now saved (one INSERT for both)."""
    return SlaClock.objects.bulk_create(clocks) if clocks else []


def sla_on_status_change(*, ticket: Ticket, from_status: str) -> None:
    """Apply a status move to the ticket's clocks (caller holds the ticket's lock).

    On hold for a pausing reason pauses the running clocks and leaving it resumes them;
    resolving stops both clocks (met or breached); reopening restarts resolution from the
    business time it had used; cancelling stops both without an outcome.
    """
    clocks = _locked_clocks(ticket)
    if not clocks:
        return
    now = timezone.now()
    specs = _Specs()
    to_status = ticket.status
    for clock in clocks:
        spec = specs.get(clock.policy.calendar)
        if to_status == TicketStatus.ON_HOLD:
            if sla.pauses(ticket.on_hold_reason, clock.policy.pause_on_hold_reasons):
                _pause(clock, now, spec)
        elif to_status == TicketStatus.RESOLVED:
            _stop(clock, now, spec)
        elif to_status == TicketStatus.CANCELLED:
            _stop(clock, now, spec, cancelled=True)
        elif from_status == TicketStatus.RESOLVED and to_status == TicketStatus.IN_PROGRESS:
            if clock.metric == SlaMetric.RESOLUTION:
                _restart(clock, now, spec)
        elif from_status == TicketStatus.ON_HOLD:
            _resume(clock, now, spec)
    SlaClock.objects.bulk_update(clocks, CLOCK_TIME_FIELDS)
    _ticket_due_follows(ticket, clocks)


def sla_on_public_reply(*, ticket: Ticket, author: User) -> None:
    """The first public reply by the desk (not the requester, not a work note) stops the
    first-response clock. Later replies change nothing."""
    if author.pk == ticket.requester_id or not actor_may(author, may.COMMENT):
        return
    clocks = _locked_clocks(ticket)  # both: the ticket's due instant follows the other one
    clock = next(
        (c for c in clocks if c.metric == SlaMetric.FIRST_RESPONSE and c.stopped_at is None),
        None,
    )
    if clock is None:
        return
    _stop(clock, timezone.now(), _Specs().get(clock.policy.calendar))
    clock.save(update_fields=CLOCK_TIME_FIELDS)
    _ticket_due_follows(ticket, clocks)


def sla_reevaluate(*, ticket: Ticket, actor: Any) -> None:
    """Re-match the policy after priority, service or category changed; recompute due times.

    The business time already used is kept: the running segment is folded into `elapsed`
    under the old calendar, then the new target and calendar apply from now on. Thresholds
    that already fired stay fired. Stopped clocks keep their outcome. Audited as
    `sla_reevaluated` when the policy or a due time changed.
    """
    if actor is not None:
        require_permission(actor, may.CHANGE, refusal="Only the service desk can change SLAs.")
    policy = sla_policy_for(ticket)
    clocks = _locked_clocks(ticket)
    if policy is None:
        return
    now = timezone.now()
    specs = _Specs()
    if not clocks:
        if ticket.is_open:
            started = _new_clocks(ticket, policy, now, specs.get(policy.calendar))
            _ticket_due_follows(ticket, SlaClock.objects.bulk_create(started))
            audit_record(
                record=ticket,
                actor=actor,
                action="sla_reevaluated",
                changes={"sla_policy": {"from": None, "to": policy.name}},
                message=f"SLA clocks started under {policy.name}.",
            )
        return
    fired: dict[int, list[int]] = {}
    for clock_id, threshold in SlaThresholdFired.objects.filter(clock__in=clocks).values_list(
        "clock_id", "threshold"
    ):
        fired.setdefault(clock_id, []).append(threshold)
    changes: dict[str, dict[str, Any]] = {}
    new_spec = specs.get(policy.calendar)
    for clock in clocks:
        if clock.stopped_at is not None:
            continue
        before_policy, before_due = clock.policy, clock.due_at
        was_running = clock.running_since is not None
        _fold_running(clock, now, specs.get(clock.policy.calendar))
        if was_running:
            clock.running_since = now
        clock.policy = policy
        clock.target_minutes = int(policy.target_for(clock.metric).total_seconds() // 60)
        if clock.state != SlaState.BREACHED:
            clock.next_threshold = sla.first_unfired(
                fired.get(clock.pk, []), policy.warning_thresholds
            )
        _refresh_times(clock, new_spec)
        if before_policy.pk != policy.pk:
            changes["sla_policy"] = {"from": before_policy.name, "to": policy.name}
        if before_due != clock.due_at:
            changes[f"{clock.metric}_due_at"] = {
                "from": before_due.isoformat() if before_due else None,
                "to": clock.due_at.isoformat() if clock.due_at else None,
            }
    SlaClock.objects.bulk_update(clocks, CLOCK_TIME_FIELDS)
    _ticket_due_follows(ticket, clocks)
    if changes:
        audit_record(record=ticket, actor=actor, action="sla_reevaluated", changes=changes)


# --- The sweep ---


@dataclass(slots=True)
class _SweptClock:
    """A claimed clock as plain values: the fields the sweep reads and writes, without a
    model object (the claim reads them with `values_list`; building 500 SlaClock objects a
    batch cost more than the batch's queries)."""

    pk: int
    ticket_id: int
    policy_id: int
    metric: str
    target_minutes: int
    state: str
    elapsed: timedelta
    running_since: datetime | None
    next_threshold: int | None
    next_due_at: datetime | None
    due_at: datetime | None

    FIELDS: ClassVar[tuple[str, ...]] = (
        "pk",
        "ticket_id",
        "policy_id",
        "metric",
        "target_minutes",
        "state",
        "elapsed",
        "running_since",
        "next_threshold",
        "next_due_at",
        "due_at",
    )

    @property
    def target(self) -> timedelta:
        return timedelta(minutes=self.target_minutes)


def _insert_fired(pairs: list[tuple[int, int]], now: datetime) -> set[tuple[int, int]]:
    """Insert (clock, threshold) rows; return the pairs that were new.

    ON CONFLICT DO NOTHING on the unique pair: a threshold some other sweep already
    recorded is skipped without aborting the transaction, and RETURNING says which inserts
    went through, in one statement for the whole batch.
    """
    if not pairs:
        return set()
    table = SlaThresholdFired._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (clock_id, threshold, fired_at) "
            "SELECT c, t, %s FROM jsonb_to_recordset(%s::jsonb) AS x(c bigint, t int) "
            "ON CONFLICT (clock_id, threshold) DO NOTHING RETURNING clock_id, threshold",
            [now, json_rows({"c": c, "t": t} for c, t in pairs)],
        )
        return {(row[0], row[1]) for row in cursor.fetchall()}


def _advance(clock: _SweptClock, policy: SlaPolicy, now: datetime, spec: CalendarSpec) -> list[int]:
    """Move the clock past every threshold due by `now`; return those thresholds in order.

    Usually one; several when the sweep ran late (an outage) or a re-evaluation shortened
    the target, so a clock never needs several sweeps to catch up.
    """
    passed: list[int] = []
    while (
        clock.state == SlaState.RUNNING
        and clock.next_threshold is not None
        and clock.next_due_at
        and clock.next_due_at <= now
    ):
        threshold = clock.next_threshold
        passed.append(threshold)
        if threshold == BREACH:
            clock.state = SlaState.BREACHED
            clock.next_threshold = None
            clock.next_due_at = None
            break
        clock.next_threshold = sla.next_threshold_after(threshold, policy.warning_thresholds)
        _refresh_times(clock, spec)
    return passed


def _desk_url_maker() -> Callable[[str], str]:
    """number → absolute desk URL of the ticket, for links in emails and webhooks."""
    site, path = settings.SITE_URL, desk_ticket_paths()  # settings is lazy: read it once
    return lambda number: site + path(number)


@dataclass(frozen=True, slots=True)
class _NotifiedTicket:
    """What a notification needs of a ticket and its people, read as one row."""

    pk: int
    number: str
    short_description: str
    priority: int
    service_id: int | None
    assignee: Recipient | None
    lead: Recipient | None

    # What the claim reads of each clock's ticket, through the clock's `ticket` relation.
    CLAIM_FIELDS: ClassVar[tuple[str, ...]] = tuple(
        f"ticket__{name}"
        for name in (
            "number",
            "short_description",
            "priority",
            "service_id",
            "assignee_id",
            "assignee__email",
            "assignee__is_active",
            "assignment_team__lead_id",
            "assignment_team__lead__email",
            "assignment_team__lead__is_active",
        )
    )

    @classmethod
    def from_claim(cls, pk: int, row: tuple[Any, ...]) -> "_NotifiedTicket":
        number, short_description, priority, service_id = row[:4]
        return cls(
            pk,
            number,
            short_description,
            priority,
            service_id,
            assignee=Recipient(row[4], row[5], row[6]) if row[4] is not None else None,
            lead=Recipient(row[7], row[8], row[9]) if row[7] is not None else None,
        )


class _Managers:
    """Active service desk managers, read at most once per sweep."""

    def __init__(self) -> None:
        self._people: list[Recipient] | None = None

    def get(self) -> list[Recipient]:
        if self._people is None:
            self._people = [
                Recipient(pk, email)
                for pk, email in User.objects.filter(
                    groups__name=Role.SERVICE_DESK_MANAGER, is_active=True
                ).values_list("pk", "email")
            ]
        return self._people


_METRIC_NAMES = {metric.value: str(metric.label).lower() for metric in SlaMetric}


def _notification(
    clock: _SweptClock,
    threshold: int,
    *,
    ticket: _NotifiedTicket,
    policy: SlaPolicy,
    managers: _Managers,
    desk_url: Callable[[str], str],
    tz: tzinfo,
) -> NotificationRequest:
    """What to tell whom about `threshold` of `clock`; runs no query (the batch loaded the
    tickets with their people, the policies and, once, the managers)."""
    recipients: list[Recipient] = []
    if policy.notify_assignee and ticket.assignee is not None:
        recipients.append(ticket.assignee)
    if policy.notify_team_lead and ticket.lead is not None:
        recipients.append(ticket.lead)
    if policy.notify_desk_manager and threshold == BREACH:
        recipients += managers.get()
    metric = _METRIC_NAMES[clock.metric]
    if threshold == BREACH:
        event = "sla_breached"
        title = f"SLA breached: {metric} on {ticket.number} ({ticket.short_description})"
        message = f"The {metric} target of {clock.target_minutes} business minutes has passed."
    else:
        event = "sla_warning"
        title = f"{threshold}% of the {metric} time used on {ticket.number}"
        # "2026-03-02 13:00": isoformat, cut to the minute, costs half what strftime does.
        due = clock.due_at.astimezone(tz).isoformat(" ", "minutes")[:16] if clock.due_at else ""
        message = f"{ticket.short_description}\nPriority P{ticket.priority}. Due {due}."
    return NotificationRequest(
        event=event,
        recipients=recipients,
        record=RecordRef(Ticket, ticket.pk, ticket.number, ticket.service_id),
        context={"title": title, "message": message, "url": desk_url(ticket.number)},
        webhook_payload={
            "event": event,
            "ticket": ticket.number,
            "metric": clock.metric,
            "threshold": threshold,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
        },
    )


def _raise_priority(ticket_ids: set[int]) -> None:
    """Breach escalation: one step up (P3 → P2), never above P1. Rare, so audited per row."""
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids, priority__gt=1))
    if not tickets:
        return
    # A conditional update on the current value: an agent's concurrent change is not lost,
    # and the version bump makes their stale form answer "someone else changed this".
    Ticket.objects.filter(pk__in=[t.pk for t in tickets], priority__gt=1).update(
        priority=F("priority") - 1, version=F("version") + 1
    )
    for ticket in tickets:
        audit_record(
            record=ticket,
            actor=None,
            action="priority_raised",
            changes={"priority": {"from": ticket.priority, "to": ticket.priority - 1}},
            message="SLA breached: priority raised by the escalation policy.",
        )


def _save_swept(clocks: list[_SweptClock]) -> None:
    """One UPDATE … FROM jsonb_to_recordset(…) for the batch. Django's bulk_update builds a
    CASE per field and row, which took seconds for 500 clocks; this is one small statement."""
    table = SlaClock._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET state = x.state, next_threshold = x.next_threshold, "
            "next_due_at = x.next_due_at, due_at = x.due_at "
            "FROM jsonb_to_recordset(%s::jsonb) AS x(id bigint, state varchar, "
            "next_threshold int, next_due_at timestamptz, due_at timestamptz) "
            "WHERE c.id = x.id",
            [
                json_rows(
                    {
                        "id": c.pk,
                        "state": str(c.state),
                        "next_threshold": c.next_threshold,
                        "next_due_at": c.next_due_at,
                        "due_at": c.due_at,
                    }
                    for c in clocks
                )
            ],
        )


def _claim(now: datetime, batch_size: int) -> tuple[list[_SweptClock], dict[int, _NotifiedTicket]]:
    """Lock up to `batch_size` due clocks, oldest first, skipping those another sweep holds;
    read each with what a notification needs of its ticket and people in the same query.
    Only the clock rows are locked (FOR UPDATE OF): tickets stay free for agents while the
    batch runs."""
    rows = (
        SlaClock.objects.filter(state=SlaState.RUNNING, next_due_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_due_at")
        .values_list(*_SweptClock.FIELDS, *_NotifiedTicket.CLAIM_FIELDS)[:batch_size]
    )
    width = len(_SweptClock.FIELDS)
    clocks = [_SweptClock(*row[:width]) for row in rows]
    tickets = {
        clock.ticket_id: _NotifiedTicket.from_claim(clock.ticket_id, row[width:])
        for clock, row in zip(clocks, rows, strict=True)
    }
    return clocks, tickets


class SweepReads:
    """What every batch of one sweep reads alike: policies with their calendars' specs, the
    desk managers, the desk URL and the timezone. Read once per sweep run (seconds long)
    instead of once per batch; each batch of 500 clocks paid about 10 ms for them."""

    def __init__(self) -> None:
        self._policies: dict[int, SlaPolicy] = {}
        self.specs = _Specs()
        self.managers = _Managers()
        self.desk_url = _desk_url_maker()
        self.tz = timezone.get_current_timezone()

    def policies(self, ids: set[int]) -> dict[int, SlaPolicy]:
        if missing := ids - self._policies.keys():
            self._policies |= SlaPolicy.objects.select_related("calendar").in_bulk(missing)
        return self._policies


@transaction.atomic
def sla_sweep_batch(*, batch_size: int = SWEEP_BATCH_SIZE, reads: SweepReads | None = None) -> int:
    """Fire the due thresholds of up to `batch_size` running clocks; return how many clocks
    were claimed (fewer than `batch_size` means the sweep is done).

    One indexed query claims the clocks (`next_due_at <= now`, oldest first) with
    FOR UPDATE SKIP LOCKED, so a second sweep takes the next rows instead of waiting or
    double-processing; it reads each clock's ticket, assignee and team lead alongside. The
    fired thresholds are inserted in one statement; only the clocks whose insert was new
    send notifications (the unique (clock, threshold) pair makes "exactly once" hold across
    workers and retries), all written to the outbox by one `notification_create_many` call.
    Each clock then moves to its next threshold, or to `breached`; one UPDATE … FROM
    jsonb_to_recordset saves the batch. The query count does not grow with the batch: rows
    are read as plain values and no model object is built per clock. A sweep passes the
    same `reads` to all its batches, so only its first batch reads the policies, calendars
    and managers.
    """
    reads = reads or SweepReads()
    now = timezone.now()
    clocks, tickets = _claim(now, batch_size)
    if not clocks:
        return 0
    policies = reads.policies({clock.policy_id for clock in clocks})
    passed = {
        clock.pk: _advance(
            clock,
            policy := policies[clock.policy_id],
            now,
            reads.specs.get(policy.calendar),
        )
        for clock in clocks
    }
    inserted = _insert_fired([(pk, t) for pk, ts in passed.items() for t in ts], now)
    newly_fired = {
        clock.pk: new
        for clock in clocks
        if (new := [t for t in passed[clock.pk] if (clock.pk, t) in inserted])
    }
    to_raise: set[int] = set()
    requests: list[NotificationRequest] = []
    for clock in clocks:
        if clock.pk not in newly_fired:
            continue
        new = newly_fired[clock.pk]
        policy = policies[clock.policy_id]
        # Catching up on several thresholds at once tells people about the worst only.
        requests.append(
            _notification(
                clock,
                new[-1],
                ticket=tickets[clock.ticket_id],
                policy=policy,
                managers=reads.managers,
                desk_url=reads.desk_url,
                tz=reads.tz,
            )
        )
        if BREACH in new and policy.raise_priority_at_breach:
            to_raise.add(clock.ticket_id)
    # The whole batch's outbox rows in one call, in this transaction (written with the
    # fired thresholds or not at all).
    notification_create_many(items=requests)
    _save_swept(clocks)
    if to_raise:
        _raise_priority(to_raise)
    return len(clocks)


def sla_sweep(
    *,
    batch_size: int | None = None,
    max_batches: int = 1000,
    on_backlog: Callable[[], None] | None = None,
) -> int:
    """Run batches until one comes back short; returns the number of clocks processed.

    Not atomic itself: each batch commits on its own, so notifications go out batch by
    batch and a crash loses at most the batch in progress (which the next run redoes).
    `on_backlog` is called before the first batch when more clocks are due than one batch
    holds, so the caller can start more sweeps beside this one (they share the work
    through SKIP LOCKED).
    """
    batch_size = batch_size or SWEEP_BATCH_SIZE
    if on_backlog is not None and _more_due_than(batch_size):
        on_backlog()
    reads = SweepReads()
    total = 0
    for _ in range(max_batches):
        claimed = sla_sweep_batch(batch_size=batch_size, reads=reads)
        total += claimed
        if claimed < batch_size:
            break
    return total


def _more_due_than(count: int) -> bool:
    """One short index-only scan of the sweep index: is a clock due beyond the first `count`?"""
    due = SlaClock.objects.filter(state=SlaState.RUNNING, next_due_at__lte=timezone.now())
    return due.order_by("next_due_at")[count : count + 1].exists()
