"""The rollup behind the overview: incremental refresh, idempotence, the beat task, the
rebuild command, and the figures it serves against the hand-built history (conftest.py)."""

from datetime import date

import pytest
from django.core.management import call_command

from itsm.dashboards import selectors
from itsm.dashboards.models import (
    DashboardDaily,
    DashboardDailyDuration,
    DashboardOpenNow,
    DashboardRollupState,
    DashboardTicketFact,
)
from itsm.dashboards.rollup import (
    DAILY_GRAINS,
    dashboard_rollup_rebuild,
    dashboard_rollup_refresh,
    grain_of,
    smallest_grain,
)
from itsm.dashboards.selectors import DashboardFilters, DashboardScope, dashboard_targets
from tests.concurrency import run_at_once
from tests.dashboards.conftest import NOW
from tickets import services as ticket_services
from tickets.choices import TicketStatus

EVERYTHING = DashboardScope(everything=True)


def figure(name, date_from=date(2026, 3, 2), date_to=date(2026, 3, 15), **extra):
    filters = DashboardFilters(date_from=date_from, date_to=date_to, **extra)
    build = selectors.OVERVIEW_METRICS[name]
    return build(scope=EVERYTHING, filters=filters, targets=dashboard_targets())


def summary(fig):
    return {item["label"]: item["value"] for item in fig.summary}


def rollup_rows():
    """Every row of the derived tables, without ids (for comparing two builds)."""
    rows = []
    for model in (DashboardTicketFact, DashboardDaily, DashboardDailyDuration, DashboardOpenNow):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows.append(sorted(model.objects.values_list(*fields), key=repr))
    return rows


def test_the_smallest_grain_holds_every_needed_dimension():
    assert smallest_grain(DAILY_GRAINS, set()) == frozenset()
    assert smallest_grain(DAILY_GRAINS, {"team", "category"}) == {"team", "category"}
    assert len(smallest_grain(DAILY_GRAINS, {"service", "priority"})) == 6
    # GROUPING(): a bit per dimension summed over; the finest grain is 0, the desk 63.
    assert grain_of(frozenset()) == 63
    assert grain_of(smallest_grain(DAILY_GRAINS, {"service", "channel"})) == 0


def test_a_ticket_resolved_after_the_last_run_is_picked_up(history):
    today = {"date_from": date(2026, 3, 18), "date_to": date(2026, 3, 18)}
    assert summary(figure("created_resolved", **today)) == {"Created": 1, "Resolved": 0}
    t6 = history.tickets["T6"]
    t6.refresh_from_db()
    ticket_services.ticket_transition(
        ticket=t6, to_status=TicketStatus.RESOLVED, actor=t6.assignee,
        expected_version=t6.version, resolution_code="solved", resolution_notes="Done.",
    )  # fmt: skip
    # Not yet refreshed: the figure is as old as the rollup (its help text says so).
    assert summary(figure("created_resolved", **today))["Resolved"] == 0
    result = dashboard_rollup_refresh()
    assert result.full is False
    assert result.tickets == 1
    assert summary(figure("created_resolved", **today)) == {"Created": 1, "Resolved": 1}
    # The open-ticket snapshot moved too: T6 was breached and open; now T9, T7, T8 are open.
    assert summary(figure("sla_now")) == {"Breached now": 0, "At risk": 1}
    assert summary(figure("backlog_age")) == {"Open backlog": 3}


def test_a_reopened_ticket_leaves_its_old_resolution_day(history, requester):
    t2 = history.tickets["T2"]  # resolved 03-04, rated 3
    t2.refresh_from_db()
    ticket_services.ticket_transition(
        ticket=t2, to_status=TicketStatus.IN_PROGRESS, actor=requester,
        expected_version=t2.version, reason="Still broken.",
    )  # fmt: skip
    result = dashboard_rollup_refresh()
    assert result.tickets == 1
    days = {row[0]: row[1:] for row in figure("created_resolved").rows}
    assert days["2026-03-04"] == [0, 0]
    assert summary(figure("created_resolved")) == {"Created": 6, "Resolved": 3}
    # CSAT counts tickets resolved in the period: T1 5, T4 4 of T1, T3, T4.
    assert summary(figure("csat")) == {"Average rating": 4.5, "Response rate": 66.7, "Answers": 2}
    assert summary(figure("first_contact_resolution")) == {"First-contact resolution": 66.7}


def test_a_reassigned_ticket_moves_between_teams_on_every_day_it_counts(
    history, manager, service_desk_team, other_team
):
    t7 = history.tickets["T7"]  # Network, raised 03-13, open
    assert summary(figure("created_resolved", team_id=other_team.pk))["Created"] == 2
    t7.refresh_from_db()
    ticket_services.ticket_assign(
        ticket=t7, actor=manager, expected_version=t7.version, team=service_desk_team
    )
    dashboard_rollup_refresh()
    assert summary(figure("created_resolved", team_id=other_team.pk))["Created"] == 1
    assert summary(figure("created_resolved", team_id=service_desk_team.pk))["Created"] == 5
    assert figure("workload_team").rows == [["Service Desk", 4, 3, 66.7], ["Network", 0, 1, 100.0]]


def test_refreshing_twice_changes_nothing_and_matches_a_rebuild(history):
    before = rollup_rows()
    result = dashboard_rollup_refresh()
    assert (result.tickets, result.days) == (0, 0)
    again = dashboard_rollup_refresh(reconcile=True)
    assert (again.full, again.tickets, again.days) == (True, 0, 0)
    assert rollup_rows() == before
    dashboard_rollup_rebuild()
    assert rollup_rows() == before


def test_the_refresh_moves_the_watermark(history):
    state = DashboardRollupState.objects.get()
    assert state.watermark == NOW
    assert state.reconciled_at == NOW
    assert state.open_as_of == NOW


def test_the_beat_task_refreshes_eagerly(history, eager_celery):
    from itsm.dashboards.tasks import dashboard_rollup_refresh as task

    DashboardDaily.objects.all().delete()
    DashboardRollupState.objects.update(reconciled_at=None)
    assert task.delay().get() == 0  # reconciled: no fact changed …
    assert DashboardDaily.objects.exists() is False  # … so no day was rewritten
    dashboard_rollup_rebuild()
    assert summary(figure("created_resolved")) == {"Created": 6, "Resolved": 4}


def test_the_command_rebuilds_from_empty(history, capsys):
    DashboardTicketFact.objects.all().delete()
    DashboardDaily.objects.all().delete()
    call_command("dashboard_rollup", "--rebuild")
    assert "10 tickets changed" in capsys.readouterr().out
    assert summary(figure("created_resolved")) == {"Created": 6, "Resolved": 4}


def test_beat_schedule_refreshes_the_rollup_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-rollup-refresh"]
    assert entry["task"] == "itsm.dashboards.tasks.dashboard_rollup_refresh"
    assert 0 < entry["options"]["expires"] < 5 * 60


@pytest.mark.parametrize("channel", ["email", None])
def test_filters_beyond_the_histogram_grains_give_exact_medians(history, channel):
    # With a channel filter the medians come from the facts (percentile_cont), not bands.
    fig = figure("response_times", channel=channel)
    if channel is None:
        assert fig.rows[1] == ["Time to resolve", 5.0, 4.0, 4]
    else:
        # Email: T2 only (response 90 min, resolution 300 min).
        assert fig.rows == [
            ["Time to first response", 1.5, 1.5, 1],
            ["Time to resolve", 5.0, 5.0, 1],
        ]


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_take_turns_and_agree_with_a_rebuild(history):
    t6 = history.tickets["T6"]
    t6.refresh_from_db()
    ticket_services.ticket_transition(
        ticket=t6, to_status=TicketStatus.RESOLVED, actor=t6.assignee,
        expected_version=t6.version, resolution_code="solved", resolution_notes="Done.",
    )  # fmt: skip
    results = run_at_once(dashboard_rollup_refresh, dashboard_rollup_refresh)

    assert not [r for r in results if isinstance(r, Exception)], results
    # One took the state row's lock and rolled the resolve up; the other waited for it and
    # then found nothing left to do (no deadlock, no double-counted day).
    assert sorted(result.tickets for result in results) == [0, 1]
    assert summary(
        figure("created_resolved", date_from=date(2026, 3, 18), date_to=date(2026, 3, 18))
    ) == {"Created": 1, "Resolved": 1}
    after = rollup_rows()
    dashboard_rollup_rebuild()
    assert rollup_rows() == after
