"""Every overview figure on the hand-built history of conftest.py, worked out by hand."""

import pytest
import time_machine

from itsm.calendars.models import BusinessCalendar, WorkingInterval
from itsm.dashboards import selectors
from itsm.dashboards.models import DashboardTarget, TargetKey
from itsm.dashboards.rollup import dashboard_rollup_refresh
from itsm.dashboards.selectors import (
    DashboardScope,
    DrillCursor,
    dashboard_scope_for,
    dashboard_targets,
    drilldown,
)
from tests.dashboards.conftest import add_clock, add_ticket, at, period_filters
from tests.factories.tickets import make_ticket
from tickets import services as ticket_services
from tickets.choices import TicketStatus
from tickets.models import SlaPolicy
from tickets.sla.rules import SlaMetric, SlaState

EVERYTHING = DashboardScope(everything=True)


def figure(name, scope=EVERYTHING, **filters):
    build = selectors.OVERVIEW_METRICS[name]
    return build(scope=scope, filters=period_filters(**filters), targets=dashboard_targets())


def summary(fig):
    return {item["label"]: item["value"] for item in fig.summary}


def test_sla_compliance_is_the_share_of_clocks_stopped_in_the_period_within_target(history):
    fig = figure("sla_compliance")
    # First response, stopped 03-02..03-15: T1 met, T2 breached, T3 met, T4 met → 3/4 = 75 %.
    # Resolution: T1 met, T2 met, T3 breached, T4 met → 3/4 = 75 %. T5 (February), T6's
    # response (03-17) and T10's cancelled clocks are not counted.
    assert summary(fig) == {"First response met": 75.0, "Resolution met": 75.0}
    # W1 (03-02): responses T1 met, T2 breached → 50 %; resolutions T1, T2 met → 100 %.
    # W2 (03-09): responses T3, T4 met → 100 %; resolutions T3 breached, T4 met → 50 %.
    assert fig.rows == [["2026-03-02", 50.0, 100.0, 2, 2], ["2026-03-09", 100.0, 50.0, 2, 2]]
    assert [t["value"] for t in fig.targets] == [95.0, 95.0]


def test_breaches_and_at_risk_now_count_open_tickets_whatever_the_period(history):
    fig = figure("sla_now")
    # Breached: T6's resolution clock (due 03-18 10:00, now 12:00). At risk: T7's resolution
    # clock (due in 30 min, less than a quarter of 480 min left); T7's response clock has 10 h
    # of 60 min... it is due in 10 h, far from its last quarter.
    assert fig.rows == [["First response", 0, 0], ["Resolution", 1, 1]]
    assert summary(fig) == {"Breached now": 1, "At risk": 1}
    assert "which=breached" in fig.row_links[1]
    assert "metric=resolution" in fig.row_links[1]


def drill(which, **extra):
    return selectors.dashboard_sla_ticket_page(
        scope=EVERYTHING, filters=period_filters(), metric="resolution", which=which, **extra
    )


def test_breach_drill_down_lists_the_breached_tickets(history):
    page = drill("breached")
    assert [c.ticket.number for c in page.clocks] == [history.tickets["T6"].number]
    assert (page.total, page.total_is_capped, page.next_cursor) == (1, False, None)
    at_risk = drill("at_risk")
    assert [c.ticket.number for c in at_risk.clocks] == [history.tickets["T7"].number]


def test_drill_down_pages_walk_every_breach_once_most_overdue_first(history, requester):
    """GIVEN breached clocks due at the same instant, at different instants, and on hold
    (no due time), besides T6 (due 03-18 10:00)
    WHEN the list is read two at a time, each page after the previous page's cursor
    THEN every clock comes exactly once: by due time, ties and on-hold ones by id, on hold last."""
    added = {}
    for name, due in (("T21", at(3, 18, 9)), ("T22", at(3, 18, 9)), ("T23", at(3, 18, 11)),
                      ("T24", None), ("T25", None)):  # fmt: skip
        ticket = add_ticket(name, requester=requester, team=None,
                            status=TicketStatus.IN_PROGRESS, created=at(3, 17))  # fmt: skip
        add_clock(ticket, history.policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED, due=due)
        added[name] = ticket.number
    seen, after, pages = [], None, 0
    while True:
        page = drill("breached", after=after, size=2)
        pages += 1
        assert len(page.clocks) <= 2
        assert page.total == 6
        seen += [c.ticket.number for c in page.clocks]
        if page.next_cursor is None:
            break
        after = DrillCursor.decode(page.next_cursor.encode())  # as it travels in the URL
    expected = [added["T21"], added["T22"], history.tickets["T6"].number, added["T23"],
                added["T24"], added["T25"]]  # fmt: skip
    assert seen == expected
    assert pages == 3


def test_the_drill_down_count_is_capped(history, requester, monkeypatch):
    monkeypatch.setattr(drilldown, "DRILL_COUNT_CAP", 1)
    ticket = add_ticket("T31", requester=requester, team=None, status=TicketStatus.NEW,
                        created=at(3, 17))  # fmt: skip
    add_clock(ticket, history.policy, SlaMetric.RESOLUTION, state=SlaState.BREACHED,
              due=at(3, 18, 8))  # fmt: skip
    page = drill("breached")
    assert (page.total, page.total_is_capped) == (1, True)
    assert len(page.clocks) == 2


def test_the_whole_drill_down_list_comes_as_plain_rows_in_page_order(history):
    rows = list(
        selectors.dashboard_sla_ticket_rows(
            scope=EVERYTHING, filters=period_filters(), metric="resolution", which="breached"
        )
    )
    t6 = history.tickets["T6"]
    assert rows == [(t6.number, t6.short_description, "P3", "Service Desk", "Alice Agent",
                     "2026-03-18T10:00:00+00:00")]  # fmt: skip


@pytest.mark.parametrize("text", ["", "x", "none~x", "2026-03-18T10:00:00~1", "~~3"])
def test_a_cursor_that_was_not_written_by_the_list_is_refused(text):
    with pytest.raises(ValueError):
        DrillCursor.decode(text)


def test_backlog_ages_bucket_the_open_tickets_by_time_since_raised(history):
    fig = figure("backlog_age")
    # Open now: T9 (1 h old), T6 (30 h), T7 (5 days), T8 (45 days, on hold). T10 is cancelled.
    assert fig.rows == [
        ["Under 1 day", 1],
        ["1–3 days", 1],
        ["3–7 days", 1],
        ["7–30 days", 0],
        ["Over 30 days", 1],
    ]
    assert summary(fig) == {"Open backlog": 4}
    assert "older_than_days=30" in fig.row_links[4]


def test_created_and_resolved_are_counted_per_day(history):
    fig = figure("created_resolved")
    assert len(fig.rows) == 14
    days = {row[0]: row[1:] for row in fig.rows}
    # Created in the period: T1 03-02, T2 03-03, T10 03-05, T3 03-09, T4 03-10, T7 03-13.
    # Resolved: T1 03-03, T2 03-04, T3 03-10, T4 03-11.
    assert days["2026-03-02"] == [1, 0]
    assert days["2026-03-03"] == [1, 1]
    assert days["2026-03-04"] == [0, 1]
    assert days["2026-03-10"] == [1, 1]
    assert summary(fig) == {"Created": 6, "Resolved": 4}


def test_mean_and_median_times_come_from_the_clocks_business_time(history):
    fig = figure("response_times")
    # Response: 30, 90, 60, 10 min → mean 47.5 min = 0.79 h; median (30 + 60) / 2 = 45 min
    # = 0.75 h. Resolve: 120, 300, 600, 180 → mean 300 min = 5 h; median (180 + 300) / 2 =
    # 240 min = 4 h.
    assert fig.rows == [
        ["Time to first response", 0.79, 0.75, 4],
        ["Time to resolve", 5.0, 4.0, 4],
    ]


def test_first_contact_resolution_rate(history):
    fig = figure("first_contact_resolution")
    # Resolved in the period: T1..T4; at first contact: T1, T3 → 2/4 = 50 %, one each week.
    assert summary(fig) == {"First-contact resolution": 50.0}
    assert fig.rows == [["2026-03-02", 50.0, 1, 2], ["2026-03-09", 50.0, 1, 2]]
    assert fig.targets[0]["value"] == 70.0


def test_reassignment_rate(history):
    fig = figure("reassignment")
    # Resolved T1..T4; moved at least once: T2 (1), T4 (2) → 50 %.
    assert summary(fig) == {"Reassigned": 50.0}


def test_csat_average_and_response_rate(history):
    fig = figure("csat")
    # Resolved in the period T1..T4; answers T1 5, T2 3, T4 4 → average 4.0, 3/4 = 75 %.
    # T5's 1 is from February.
    assert summary(fig) == {"Average rating": 4.0, "Response rate": 75.0, "Answers": 3}
    assert fig.rows == [["1 / 5", 0], ["2 / 5", 0], ["3 / 5", 1], ["4 / 5", 1], ["5 / 5", 1]]


def test_volume_by_channel_counts_tickets_raised_in_the_period(history):
    fig = figure("volume_channel")
    # T1 portal, T2 email, T3 phone, T4 portal, T7 api, T10 portal.
    assert fig.rows == [["Portal", 3], ["Email", 1], ["Phone", 1], ["API", 1]]


def test_volume_by_service_groups_tickets_without_a_service(history):
    assert figure("volume_service").rows == [["(none)", 6]]


def test_team_workload(history, service_desk_team):
    fig = figure("workload_team")
    # Service Desk: open T6, T8, T9; resolved T1, T2, T3; resolution met 2 of 3 → 66.7 %.
    # Network: open T7; resolved T4; met 1 of 1.
    assert fig.rows == [["Service Desk", 3, 3, 66.7], ["Network", 1, 1, 100.0]]


def test_agent_workload(history):
    fig = figure("workload_agent")
    # Alice: open T6, T9; resolved T1, T2 (both met). Unassigned: open T7, T8.
    # Nick: resolved T4 (met). Morgan: resolved T3 (breached).
    assert fig.rows == [
        ["Alice Agent", 2, 2, 100.0],
        ["(unassigned)", 2, 0, None],
        ["Morgan Manager", 0, 1, 0.0],
        ["Nick Network", 0, 1, 100.0],
    ]


def test_filters_narrow_every_figure(history, other_team):
    fig = figure("created_resolved", team_id=other_team.pk)
    # Network raised T4 and T7 in the period and resolved T4.
    assert summary(fig) == {"Created": 2, "Resolved": 1}
    assert summary(figure("csat", channel="email"))["Average rating"] == 3.0


def test_configured_targets_replace_the_defaults(history):
    DashboardTarget.objects.create(key=TargetKey.FCR, value=80)
    assert figure("first_contact_resolution").targets[0]["value"] == 80.0


# --- Scope: enforced in the selectors ---


def test_a_manager_sees_the_whole_desk(manager):
    assert dashboard_scope_for(manager).everything


def test_a_team_lead_sees_only_the_teams_they_lead(history, team_lead, other_team):
    scope = dashboard_scope_for(team_lead)
    assert scope.team_ids == (other_team.pk,)
    # Network only: T4 met both clocks.
    assert summary(figure("sla_compliance", scope)) == {
        "First response met": 100.0,
        "Resolution met": 100.0,
    }


def test_a_team_lead_cannot_widen_the_scope_with_another_teams_filter(
    history, team_lead, service_desk_team
):
    scope = dashboard_scope_for(team_lead)
    fig = figure("created_resolved", scope, team_id=service_desk_team.pk)
    assert summary(fig) == {"Created": 0, "Resolved": 0}


def test_an_agent_sees_only_their_own_tickets(history, agent):
    scope = dashboard_scope_for(agent)
    assert scope.agent_id == agent.pk
    # Alice's tickets: T1 (response met, resolution met), T2 (breached, met).
    assert summary(figure("sla_compliance", scope)) == {
        "First response met": 50.0,
        "Resolution met": 100.0,
    }
    assert [row[0] for row in figure("workload_agent", scope).rows] == ["Alice Agent"]


def test_a_requester_has_no_scope(requester):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dashboard_scope_for(requester)


# --- Business time end to end, through the real ticket services ---


@pytest.mark.django_db
def test_time_to_resolve_is_business_time_not_wall_clock(requester, agent, service_desk_team):
    """GIVEN a Mon–Fri 09:00–17:00 policy, a ticket raised Friday 16:00
    WHEN the desk replies Monday 09:30 and resolves Monday 12:00
    THEN response took 1.5 business hours (breached 1 h) and resolution 4 (met 8 h), not 68."""
    calendar = BusinessCalendar.objects.create(name="Office", timezone="UTC", is_24x7=False)
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=calendar, weekday=weekday, start_time="09:00", end_time="17:00"
        )
    SlaPolicy.objects.create(
        name="Office hours", order=0, first_response_minutes=60, resolution_minutes=480,
        calendar=calendar,
    )  # fmt: skip
    with time_machine.travel(at(3, 6, 16), tick=False):
        ticket = make_ticket(requester=requester, assignment_team=service_desk_team)
    with time_machine.travel(at(3, 9, 9, 30), tick=False):
        ticket_services.comment_add(ticket=ticket, author=agent, body="On it.", is_public=True)
    with time_machine.travel(at(3, 9, 12), tick=False):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.IN_PROGRESS  # the agent's reply started the work
        ticket_services.ticket_transition(
            ticket=ticket, to_status=TicketStatus.RESOLVED, actor=agent,
            expected_version=ticket.version, resolution_code="solved",
            resolution_notes="Fixed.",
        )  # fmt: skip
    with time_machine.travel(at(3, 18, 12), tick=False):
        dashboard_rollup_refresh()
        times = figure("response_times")
        sla = figure("sla_compliance")
    # Friday 16:00–17:00 is 1 h; Monday 09:00–09:30 is 0.5 h, 09:00–12:00 is 3 h.
    assert times.rows == [["Time to first response", 1.5, 1.5, 1], ["Time to resolve", 4.0, 4.0, 1]]
    assert summary(sla) == {"First response met": 0.0, "Resolution met": 100.0}
