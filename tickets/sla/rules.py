"""SLA clock rules: metrics, states, thresholds and the due-time arithmetic (DESIGN §4).

Pure: no ORM. A clock's history is two numbers: `elapsed` (business time counted in the
running segments that have ended) and `running_since` (start of the segment in progress, or
None while paused or stopped). Everything else — due time, next threshold instant, time
left — is recomputed from those two, the target and the calendar, never from a fresh start
(DESIGN §9: other trackers lose paused time when a policy is re-applied).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models

from itsm.calendars.arithmetic import (
    CalendarSpec,
    add_business_time,
    business_time_between,
    threshold_due_at,
)

BREACH = 100
WARNING_PCT = 75  # a clock past this share of its target shows as "warning" on the desk


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    RESOLUTION = "resolution", "Resolution"


class SlaState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    # The ticket was cancelled: the clock stopped with no outcome, so it counts neither
    # for nor against compliance.
    CANCELLED = "cancelled", "Cancelled"


SLA_BADGE = {
    "ok": "success",
    "warning": "warning",
    "breached": "danger",
    "paused": "neutral",
    "met": "info",
    "cancelled": "neutral",
}


def thresholds_with_breach(warnings: Iterable[int]) -> list[int]:
    """The policy's warning percentages, sorted and de-duplicated, ending with the breach."""
    return sorted({pct for pct in warnings if 0 < pct < BREACH} | {BREACH})


def next_threshold_after(fired: int | None, warnings: Iterable[int]) -> int | None:
    """The first threshold above `fired` (None = nothing fired yet); None after the breach."""
    for pct in thresholds_with_breach(warnings):
        if fired is None or pct > fired:
            return pct
    return None


def first_unfired(fired: Iterable[int], warnings: Iterable[int]) -> int | None:
    """The lowest threshold above every fired one (thresholds fire in order, once each)."""
    fired = list(fired)
    return next_threshold_after(max(fired) if fired else None, warnings)


@dataclass(frozen=True)
class ClockTimes:
    due_at: datetime | None
    next_due_at: datetime | None


def elapsed_at(
    *, elapsed: timedelta, running_since: datetime | None, now: datetime, spec: CalendarSpec
) -> timedelta:
    """Business time consumed by `now`: the ended segments plus the running one."""
    if running_since is None or now <= running_since:
        return elapsed
    return elapsed + business_time_between(running_since, now, spec)


def clock_times(
    *,
    target: timedelta,
    elapsed: timedelta,
    running_since: datetime | None,
    next_threshold: int | None,
    spec: CalendarSpec,
) -> ClockTimes:
    """Due (breach) instant and the instant of the next threshold of a running clock.

    Both are None while the clock does not run: a paused clock has no due instant, only
    time left. A threshold already passed gives `running_since` (due at once).
    """
    if running_since is None:
        return ClockTimes(None, None)
    due = add_business_time(running_since, max(target - elapsed, timedelta(0)), spec)
    if next_threshold is None:
        return ClockTimes(due, None)
    if next_threshold == BREACH:
        return ClockTimes(due, due)
    return ClockTimes(
        due, threshold_due_at(running_since, target, next_threshold, spec, elapsed=elapsed)
    )


def percent_used(elapsed: timedelta, target: timedelta) -> float:
    if target <= timedelta(0):
        return 100.0
    return 100 * (elapsed / target)


def display_state(*, state: str, elapsed: timedelta, target: timedelta) -> str:
    """The badge's state: running clocks split into ok and warning at WARNING_PCT."""
    if state == SlaState.RUNNING:
        return "warning" if percent_used(elapsed, target) >= WARNING_PCT else "ok"
    return str(state)


def format_business_time(value: timedelta) -> str:
    """Compact "2d 3h", "3h 05m", "12m" (business time; negative values get a minus)."""
    sign = "-" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {mins:02d}m"
    return f"{sign}{mins}m"


def policy_matches(
    *,
    policy_kind: str,
    policy_priority: int | None,
    policy_service_id: int | None,
    policy_category_id: int | None,
    kind: str,
    priority: int,
    service_id: int | None,
    category_id: int | None,
) -> bool:
    """A blank/None match field matches anything; a set one must equal the ticket's."""
    return (
        (not policy_kind or policy_kind == kind)
        and (policy_priority is None or policy_priority == priority)
        and (policy_service_id is None or policy_service_id == service_id)
        and (policy_category_id is None or policy_category_id == category_id)
    )


def pauses(on_hold_reason: str, pause_reasons: Sequence[str]) -> bool:
    return bool(on_hold_reason) and on_hold_reason in pause_reasons
