"""A hand-built desk history whose every dashboard figure is worked out by hand in the tests.

"Now" is Wednesday 2026-03-18 12:00 UTC; the period under test is Monday 2026-03-02 to
Sunday 2026-03-15 (two weeks: W1 starts 03-02, W2 starts 03-09). Clocks carry their
business time in `elapsed` (what the SLA services store when a clock stops), on a 24x7
calendar so the hand sums are plain minutes.

| ticket | team | assignee | status      | created     | resolved    | FCR | moves | channel | survey | clocks (elapsed min, state, stopped)                  |
|--------|------|----------|-------------|-------------|-------------|-----|-------|---------|--------|-------------------------------------------------------|
| T1     | SD   | agent    | closed      | 03-02 09:00 | 03-03 10:00 | yes | 0     | portal  | 5      | FR 30 met 03-02 · RES 120 met 03-03                   |
| T2     | SD   | agent    | resolved    | 03-03 08:00 | 03-04 11:00 | no  | 1     | email   | 3      | FR 90 breached 03-03 · RES 300 met 03-04              |
| T3     | SD   | manager  | closed      | 03-09 08:00 | 03-10 09:00 | yes | 0     | phone   | —      | FR 60 met 03-09 · RES 600 breached 03-10              |
| T4     | NET  | nick     | resolved    | 03-10 08:00 | 03-11 09:00 | no  | 2     | portal  | 4      | FR 10 met 03-10 · RES 180 met 03-11                   |
| T5     | SD   | agent    | closed      | 02-19 08:00 | 02-20 08:00 | yes | 0     | portal  | 1      | FR 5 met 02-19 · RES 60 met 02-20 (before the period) |
| T6     | SD   | agent    | in_progress | 03-17 06:00 | —           |     |       | portal  |        | FR 15 met 03-17 · RES running, breached (due 03-18 10:00) |
| T7     | NET  | —        | new         | 03-13 12:00 | —           |     |       | api     |        | FR running due now+10h (target 60) · RES running due now+30min (target 480): at risk |
| T8     | SD   | —        | on_hold     | 02-01 12:00 | —           |     |       | portal  |        | none                                                  |
| T9     | SD   | agent    | new         | 03-18 11:00 | —           |     |       | email   |        | none                                                  |
| T10    | SD   | —        | cancelled   | 03-05 10:00 | —           |     |       | portal  |        | FR + RES cancelled                                    |
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from itsm.calendars.models import BusinessCalendar
from itsm.dashboards.rollup import dashboard_rollup_refresh
from itsm.dashboards.selectors import DashboardFilters
from tickets.choices import Channel, TicketStatus
from tickets.models import SatisfactionSurvey, SlaClock, SlaPolicy, Ticket
from tickets.sla.rules import SlaMetric, SlaState
from tickets.sla.services import sla_due_refresh

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
PERIOD = {"date_from": "2026-03-02", "date_to": "2026-03-15"}


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def period_filters(**extra) -> DashboardFilters:
    return DashboardFilters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 15), **extra)


@dataclass
class History:
    tickets: dict[str, Ticket]
    policy: SlaPolicy


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def sla_policy(db):
    calendar = BusinessCalendar.objects.create(name="Test 24x7", timezone="UTC", is_24x7=True)
    return SlaPolicy.objects.create(
        name="Dashboards test",
        order=1,
        first_response_minutes=60,
        resolution_minutes=480,
        calendar=calendar,
    )


def add_ticket(
    name: str,
    *,
    requester,
    team,
    assignee=None,
    status=TicketStatus.NEW,
    created: datetime,
    resolved: datetime | None = None,
    fcr: bool = False,
    moves: int = 0,
    channel: str = Channel.PORTAL,
    priority: int = 3,
) -> Ticket:
    done = status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    ticket = Ticket.objects.create(
        number=f"INC8{int(name[1:]):06d}",
        requester=requester,
        short_description=f"{name} for the dashboards",
        channel=channel,
        priority=priority,
        status=status,
        on_hold_reason="awaiting_vendor" if status == TicketStatus.ON_HOLD else "",
        resolution_code="solved" if done else "",
        resolved_at=resolved,
        assignment_team=team,
        assignee=assignee,
        first_assignee=assignee,
        reassignment_count=moves,
        is_first_contact_resolution=fcr,
    )
    # created_at is auto_now_add: history needs the real instant.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    ticket.created_at = created
    return ticket


def add_clock(ticket, policy, metric, *, state, elapsed=0, stopped=None, due=None) -> SlaClock:
    target = policy.first_response_minutes if metric == SlaMetric.FIRST_RESPONSE else 480
    clock = SlaClock.objects.create(
        ticket=ticket,
        metric=metric,
        policy=policy,
        target_minutes=target,
        state=state,
        started_at=ticket.created_at,
        running_since=None if stopped else ticket.created_at,
        elapsed=timedelta(minutes=elapsed),
        stopped_at=stopped,
        due_at=due,
    )
    sla_due_refresh(ticket_ids=[ticket.pk])  # written here, not by the SLA services
    return clock


@pytest.fixture
def history(
    frozen_now,
    sla_policy,
    requester,
    agent,
    manager,
    agent_other_team,
    service_desk_team,
    other_team,
) -> History:
    sd, net = service_desk_team, other_team
    fr, res = SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION
    met, breached, running = SlaState.MET, SlaState.BREACHED, SlaState.RUNNING
    p = sla_policy
    common = {"requester": requester}
    t = {}
    t["T1"] = add_ticket("T1", **common, team=sd, assignee=agent, status=TicketStatus.CLOSED,
                         created=at(3, 2, 9), resolved=at(3, 3, 10), fcr=True)  # fmt: skip
    add_clock(t["T1"], p, fr, state=met, elapsed=30, stopped=at(3, 2, 9, 30))
    add_clock(t["T1"], p, res, state=met, elapsed=120, stopped=at(3, 3, 10))
    t["T2"] = add_ticket("T2", **common, team=sd, assignee=agent, status=TicketStatus.RESOLVED,
                         created=at(3, 3, 8), resolved=at(3, 4, 11), moves=1,
                         channel=Channel.EMAIL)  # fmt: skip
    add_clock(t["T2"], p, fr, state=breached, elapsed=90, stopped=at(3, 3, 9, 30))
    add_clock(t["T2"], p, res, state=met, elapsed=300, stopped=at(3, 4, 11))
    t["T3"] = add_ticket("T3", **common, team=sd, assignee=manager, status=TicketStatus.CLOSED,
                         created=at(3, 9, 8), resolved=at(3, 10, 9), fcr=True,
                         channel=Channel.PHONE)  # fmt: skip
    add_clock(t["T3"], p, fr, state=met, elapsed=60, stopped=at(3, 9, 9))
    add_clock(t["T3"], p, res, state=breached, elapsed=600, stopped=at(3, 10, 9))
    t["T4"] = add_ticket("T4", **common, team=net, assignee=agent_other_team,
                         status=TicketStatus.RESOLVED, created=at(3, 10, 8),
                         resolved=at(3, 11, 9), moves=2)  # fmt: skip
    add_clock(t["T4"], p, fr, state=met, elapsed=10, stopped=at(3, 10, 8, 10))
    add_clock(t["T4"], p, res, state=met, elapsed=180, stopped=at(3, 11, 9))
    t["T5"] = add_ticket("T5", **common, team=sd, assignee=agent, status=TicketStatus.CLOSED,
                         created=at(2, 19, 8), resolved=at(2, 20, 8), fcr=True)  # fmt: skip
    add_clock(t["T5"], p, fr, state=met, elapsed=5, stopped=at(2, 19, 8, 5))
    add_clock(t["T5"], p, res, state=met, elapsed=60, stopped=at(2, 20, 8))
    t["T6"] = add_ticket("T6", **common, team=sd, assignee=agent,
                         status=TicketStatus.IN_PROGRESS, created=at(3, 17, 6))  # fmt: skip
    add_clock(t["T6"], p, fr, state=met, elapsed=15, stopped=at(3, 17, 6, 15))
    add_clock(t["T6"], p, res, state=breached, due=at(3, 18, 10))
    t["T7"] = add_ticket("T7", **common, team=net, status=TicketStatus.NEW,
                         created=at(3, 13, 12), channel=Channel.API)  # fmt: skip
    add_clock(t["T7"], p, fr, state=running, due=NOW + timedelta(hours=10))
    add_clock(t["T7"], p, res, state=running, due=NOW + timedelta(minutes=30))
    t["T8"] = add_ticket("T8", **common, team=sd, status=TicketStatus.ON_HOLD,
                         created=at(2, 1, 12))  # fmt: skip
    t["T9"] = add_ticket("T9", **common, team=sd, assignee=agent, status=TicketStatus.NEW,
                         created=at(3, 18, 11), channel=Channel.EMAIL)  # fmt: skip
    t["T10"] = add_ticket("T10", **common, team=sd, status=TicketStatus.CANCELLED,
                          created=at(3, 5, 10))  # fmt: skip
    add_clock(t["T10"], p, fr, state=SlaState.CANCELLED, stopped=at(3, 5, 11))
    add_clock(t["T10"], p, res, state=SlaState.CANCELLED, stopped=at(3, 5, 11))
    for name, rating in (("T1", 5), ("T2", 3), ("T4", 4), ("T5", 1)):
        SatisfactionSurvey.objects.create(ticket=t[name], respondent=requester, rating=rating)
    # The range figures read the rollup: built the way the beat task builds it.
    dashboard_rollup_refresh()
    return History(tickets=t, policy=p)


@pytest.fixture
def team_lead(agent_other_team, other_team):
    """Nick leads the Network team: he sees Network's figures only."""
    other_team.lead = agent_other_team
    other_team.save()
    return agent_other_team
