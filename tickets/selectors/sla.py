"""SLA clocks as the pages show them: badges, time left, the due instant to sort by."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from itsm.core.compiled import compiled_once
from tickets.models import SlaClock, Ticket
from tickets.sla.rules import (
    SLA_BADGE,
    WARNING_PCT,
    SlaMetric,
    SlaState,
    elapsed_at,
    format_business_time,
)
from tickets.sla.selectors import sla_policies_active

BREACHING_SOON = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class BadgeClock:
    """An open SLA clock as a queue row's badge reads it (sla_badge_state), as plain values."""

    metric: str
    state: str
    due_at: datetime | None
    next_threshold: int | None


def badge_clocks_for(ticket_ids: list[int]) -> dict[int, list[BadgeClock]]:
    """The open (neither met nor cancelled) SLA clocks of these tickets, by ticket: one query,
    no model objects (a queue page's 100 clocks cost more to build than to read)."""
    clocks: dict[int, list[BadgeClock]] = {pk: [] for pk in ticket_ids}
    rows = (
        SlaClock.objects.filter(ticket_id__in=ticket_ids)
        .exclude(state__in=(SlaState.MET, SlaState.CANCELLED))
        .order_by("metric")
        .values_list("ticket_id", "metric", "state", "due_at", "next_threshold")
    )
    for ticket_id, metric, state, due_at, next_threshold in rows:
        clocks[ticket_id].append(BadgeClock(metric, state, due_at, next_threshold))
    return clocks


def clocks_with_calendars(ticket_id: int) -> list[SlaClock]:
    """One ticket's clocks with their policies' calendars: the ticket page shows the
    business time left, which needs each running clock's calendar. The policies come from
    the cached active ones; a clock of a policy since deactivated reads its own."""
    clocks = _clocks_of(ticket_id)
    active = {policy.pk: policy for policy in sla_policies_active()}
    for clock in clocks:
        if clock.policy_id in active:
            clock.policy = active[clock.policy_id]
    retired = [clock for clock in clocks if clock.policy_id not in active]
    if retired:
        prefetch_related_objects(
            retired,
            "policy__calendar__closed_dates",
            "policy__calendar__working_intervals",
        )
    return clocks


@compiled_once
def _clocks_of(ticket_id: int) -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(ticket_id=ticket_id).order_by("metric")


@dataclass(frozen=True)
class SlaBadge:
    metric: str
    label: str
    state: str  # ok / warning / breached / paused / met / cancelled
    badge: str  # colour class
    due_at: datetime | None
    left: str  # business time left (detail page) or "" (queue rows: the countdown uses due_at)


def sla_badge_state(clock: SlaClock | BadgeClock) -> str:
    # From stored fields only (no calendar maths): the sweep fires 75 % before the clock
    # moves its next threshold past it, so a next threshold above 75 means "warning".
    if clock.state == SlaState.RUNNING:
        return "warning" if (clock.next_threshold or 0) > WARNING_PCT else "ok"
    return str(clock.state)


def sla_badges(ticket: Ticket, *, with_time_left: bool = False) -> list[SlaBadge]:
    """Badges for a ticket's SLA clocks (prefetched by the selectors above).

    With `with_time_left` (the ticket page) the business time left is computed from the
    policy's calendar; queue rows show the due instant instead, which costs no query.
    """
    badges = []
    for clock in ticket.sla_clocks.all():
        state = sla_badge_state(clock)
        left = ""
        if with_time_left and clock.state in (SlaState.RUNNING, SlaState.PAUSED):
            left = format_business_time(_time_left(clock))
        badges.append(
            SlaBadge(
                metric=clock.metric,
                label=SlaMetric(clock.metric).label,
                state=state,
                badge=SLA_BADGE.get(state, "neutral"),
                due_at=clock.due_at,
                left=left,
            )
        )
    return badges


def _time_left(clock: SlaClock) -> timedelta:
    from itsm.calendars.selectors import calendar_spec

    # The ticket page reads the calendar with the clocks (clocks_with_calendars); a caller
    # that did not pays one read here.
    if not SlaClock.policy.is_cached(clock):
        clock = SlaClock.objects.select_related("policy__calendar").get(pk=clock.pk)
    spec = calendar_spec(clock.policy.calendar)
    used = elapsed_at(
        elapsed=clock.elapsed, running_since=clock.running_since, now=timezone.now(), spec=spec
    )
    return timedelta(minutes=clock.target_minutes) - used
