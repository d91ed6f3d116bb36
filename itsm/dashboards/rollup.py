"""The overview's rollup: daily sums the range figures read instead of a million tickets.

Three derived tables (models in `itsm.dashboards.models`), written only here and only
set-based in SQL (no loop over tickets in Python):

- `DashboardTicketFact`: one narrow row per ticket with its filter dimensions and the local
  days of its events (raised, resolved, first response and resolution clocks stopped).
- `DashboardDaily`: per local day and per *grain* (a set of dimensions from
  `ROLLUP_DIMENSIONS`; `GROUPING SETS` writes every grain in `DAILY_GRAINS` at once), the
  additive counts and sums of those events.
- `DashboardDailyDuration`: the same for the clocks' business time, as a histogram of 5 %
  wide bands (for medians, which cannot be summed).

A refresh (`dashboard_rollup_refresh`, the beat task every few minutes) takes the tickets
that may have changed since its watermark (updated, a clock stopped, a survey answered),
recomputes their facts, compares them with the stored ones, and rewrites the days whose
sums the differences touch (old day and new day: a reopened ticket leaves its old
resolution day), whole days at a time: DELETE + INSERT … SELECT … GROUP BY. It is
idempotent (a second run finds no differences) and refreshes are serialised by a row lock
on `DashboardRollupState`. Once a day the same comparison runs over every ticket
(`reconcile`), which catches writes that did not touch `updated_at` (a bulk `update()`,
an edited survey answer). `dashboard_rollup_rebuild` starts from empty.

Each refresh also replaces `DashboardOpenNow`, the open tickets as of the refresh (per
grain and age band, with their breached and at-risk clocks): the "now" figures read it, as
counting hundreds of thousands of open tickets live takes longer than the whole overview's
budget. The drill-down list of breached tickets stays live.

Days are local dates in `settings.TIME_ZONE`; after changing it, rebuild.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from itsm.dashboards.models import (
    ROLLUP_DIMENSIONS,
    DashboardDaily,
    DashboardDailyDuration,
    DashboardOpenNow,
    DashboardRollupState,
    DashboardTicketFact,
)
from tickets.choices import OPEN_STATUSES, TicketStatus
from tickets.sla.rules import SlaMetric, SlaState

# How far before the watermark a refresh looks again: a ticket written by a transaction
# that started before the last refresh but committed after it is still picked up (the
# comparison makes looking twice free).
OVERLAP = timedelta(minutes=10)
RECONCILE_EVERY = timedelta(hours=24)
# Histogram bands: band 0 is under a minute; band b holds BAND_RATIO^(b-1) to BAND_RATIO^b
# minutes. A median read from the bands is within (BAND_RATIO - 1) of the exact one.
BAND_RATIO = 1.05

# Dimension name → column, in ROLLUP_DIMENSIONS order (the order of GROUPING()).
DIMENSION_COLUMNS = {
    "team": "team_id",
    "assignee": "assignee_id",
    "service": "service_id",
    "priority": "priority",
    "channel": "channel",
    "category": "category_id",
}
ALL = frozenset(ROLLUP_DIMENSIONS)
# The grains written: the whole desk, each dimension alone (volumes, workload, one
# filter), each with the team (a team lead's scope, the team filter), and all of them
# (any other combination of filters, an agent's own figures).
DAILY_GRAINS: tuple[frozenset[str], ...] = (
    frozenset(),
    *(frozenset({d}) for d in ROLLUP_DIMENSIONS),
    *(frozenset({"team", d}) for d in ROLLUP_DIMENSIONS if d != "team"),
    ALL,
)
# Histograms multiply rows by their bands, so they are kept for the whole desk and per team
# (the manager's and a team lead's view); a median under any other filter is computed
# exactly from the facts of the clocks in the range (`DashboardTicketFact`).
DURATION_GRAINS: tuple[frozenset[str], ...] = (frozenset(), frozenset({"team"}))


def grain_of(dimensions: frozenset[str]) -> int:
    """The GROUPING() value of a grain: a bit set for each dimension summed over."""
    return sum(
        1 << (len(ROLLUP_DIMENSIONS) - 1 - index)
        for index, name in enumerate(ROLLUP_DIMENSIONS)
        if name not in dimensions
    )


def smallest_grain(grains: tuple[frozenset[str], ...], needed: set[str]) -> frozenset[str]:
    """The grain with the fewest dimensions that still has every one in `needed`."""
    return min((g for g in grains if needed <= g), key=len)


FACT = DashboardTicketFact._meta.db_table
DAILY = DashboardDaily._meta.db_table
DURATION = DashboardDailyDuration._meta.db_table
DIMS_SQL = ", ".join(DIMENSION_COLUMNS.values())
FACT_COLUMNS = [
    *DIMENSION_COLUMNS.values(),
    "created_day",
    "resolved_day",
    "first_contact",
    "reassigned",
    "rating",
    "response_day",
    "response_met",
    "response_seconds",
    "resolution_day",
    "resolution_met",
    "resolution_seconds",
]
# Which fact columns feed which day column's sums (a change in a dimension moves them all).
EVENT_COLUMNS = {
    "created_day": [],
    "resolved_day": ["first_contact", "reassigned", "rating"],
    "response_day": ["response_met", "response_seconds"],
    "resolution_day": ["resolution_met", "resolution_seconds"],
}

# The facts of the tickets in dash_candidates, as they are now.
CURRENT_FACTS_SQL = """
CREATE TEMP TABLE dash_current AS
SELECT t.id AS ticket_id, t.assignment_team_id AS team_id, t.assignee_id, t.service_id,
       t.priority, t.channel, t.category_id,
       (t.created_at AT TIME ZONE %(tz)s)::date AS created_day,
       CASE WHEN t.status = ANY(%(resolved)s) AND t.resolved_at IS NOT NULL
            THEN (t.resolved_at AT TIME ZONE %(tz)s)::date END AS resolved_day,
       t.is_first_contact_resolution AS first_contact,
       t.reassignment_count > 0 AS reassigned,
       s.rating,
       (fr.stopped_at AT TIME ZONE %(tz)s)::date AS response_day,
       fr.state = %(met)s AS response_met,
       extract(epoch FROM fr.elapsed)::float8 AS response_seconds,
       (rs.stopped_at AT TIME ZONE %(tz)s)::date AS resolution_day,
       rs.state = %(met)s AS resolution_met,
       extract(epoch FROM rs.elapsed)::float8 AS resolution_seconds
FROM tickets_ticket t
JOIN dash_candidates c ON c.ticket_id = t.id
LEFT JOIN tickets_slaclock fr ON fr.ticket_id = t.id AND fr.metric = %(response)s
     AND fr.state = ANY(%(stopped)s) AND fr.stopped_at IS NOT NULL
LEFT JOIN tickets_slaclock rs ON rs.ticket_id = t.id AND rs.metric = %(resolution)s
     AND rs.state = ANY(%(stopped)s) AND rs.stopped_at IS NOT NULL
LEFT JOIN tickets_satisfactionsurvey s ON s.ticket_id = t.id
"""

CANDIDATES_SINCE_SQL = """
INSERT INTO dash_candidates
SELECT id FROM tickets_ticket WHERE updated_at >= %(since)s
UNION SELECT ticket_id FROM tickets_slaclock WHERE stopped_at >= %(since)s
UNION SELECT ticket_id FROM tickets_satisfactionsurvey WHERE answered_at >= %(since)s
"""
CANDIDATES_ALL_SQL = f"""
INSERT INTO dash_candidates
SELECT id FROM tickets_ticket UNION SELECT ticket_id FROM {FACT}
"""


def _changed_sql() -> str:
    old = ", ".join(f"o.{c}" for c in FACT_COLUMNS)
    new = ", ".join(f"n.{c}" for c in FACT_COLUMNS)
    columns = ", ".join(f"o.{c} AS o_{c}, n.{c} AS n_{c}" for c in FACT_COLUMNS)
    return f"""
CREATE TEMP TABLE dash_changed AS
SELECT c.ticket_id, {columns}
FROM dash_candidates c
LEFT JOIN {FACT} o ON o.ticket_id = c.ticket_id
LEFT JOIN dash_current n ON n.ticket_id = c.ticket_id
WHERE ROW({old}) IS DISTINCT FROM ROW({new})
"""


def _dirty_days_sql() -> str:
    """The days whose sums a changed ticket touches: for each event day column, the old and
    the new day, when the ticket's dimensions or that event's own values changed."""
    dims_changed = (
        f"ROW({', '.join(f'o_{c}' for c in DIMENSION_COLUMNS.values())}) IS DISTINCT FROM "
        f"ROW({', '.join(f'n_{c}' for c in DIMENSION_COLUMNS.values())})"
    )
    values = []
    for day, columns in EVENT_COLUMNS.items():
        own = " OR ".join(f"o_{c} IS DISTINCT FROM n_{c}" for c in [day, *columns])
        for side in ("o", "n"):
            values.append(f"(CASE WHEN {dims_changed} OR {own} THEN {side}_{day} END)")
    return f"""
CREATE TEMP TABLE dash_dirty AS
SELECT DISTINCT v.day FROM dash_changed,
LATERAL (VALUES {", ".join(values)}) AS v(day)
WHERE v.day IS NOT NULL
"""


def _grain_sql(grains: tuple[frozenset[str], ...]) -> tuple[str, str]:
    """The grain expression (the 6-dimension GROUPING() value, also when some dimensions
    are in no grain) and the dimension columns to select (NULL for those)."""
    used = set().union(*grains)
    terms, columns = [], []
    for index, name in enumerate(ROLLUP_DIMENSIONS):
        bit = 1 << (len(ROLLUP_DIMENSIONS) - 1 - index)
        column = DIMENSION_COLUMNS[name]
        terms.append(f"GROUPING({column}) * {bit}" if name in used else str(bit))
        columns.append(column if name in used else "NULL")
    return " + ".join(terms), ", ".join(columns)


def _grouping_sets(grains: tuple[frozenset[str], ...]) -> str:
    sets = []
    for grain in grains:
        columns = [DIMENSION_COLUMNS[d] for d in ROLLUP_DIMENSIONS if d in grain]
        sets.append(f"({', '.join(columns)})")
    return ", ".join(sets)


DAILY_SUMS = [
    "created",
    "resolved",
    "first_contact",
    "reassigned",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
    "response_met",
    "response_breached",
    "response_seconds",
    "resolution_met",
    "resolution_breached",
    "resolution_seconds",
]


def _daily_events_sql() -> str:
    def event(day: str, values: dict[str, str]) -> str:
        cells = ", ".join(f"{values.get(name, '0')} AS {name}" for name in DAILY_SUMS)
        return (
            f"SELECT f.{day} AS day, {DIMS_SQL}, {cells} FROM {FACT} f "
            f"WHERE f.{day} IN (SELECT day FROM dash_dirty)"
        )

    ratings = {f"rating_{r}": f"(f.rating IS NOT DISTINCT FROM {r})::int" for r in range(1, 6)}
    return " UNION ALL ".join(
        [
            event("created_day", {"created": "1"}),
            event(
                "resolved_day",
                {
                    "resolved": "1",
                    "first_contact": "f.first_contact::int",
                    "reassigned": "f.reassigned::int",
                    **ratings,
                },
            ),
            event(
                "response_day",
                {
                    "response_met": "f.response_met::int",
                    "response_breached": "(NOT f.response_met)::int",
                    "response_seconds": "f.response_seconds",
                },
            ),
            event(
                "resolution_day",
                {
                    "resolution_met": "f.resolution_met::int",
                    "resolution_breached": "(NOT f.resolution_met)::int",
                    "resolution_seconds": "f.resolution_seconds",
                },
            ),
        ]
    )


def _daily_insert_sql() -> str:
    sums = ", ".join(f"sum({name})" for name in DAILY_SUMS)
    grain, columns = _grain_sql(DAILY_GRAINS)
    return f"""
INSERT INTO {DAILY} (day, grain, {DIMS_SQL}, {", ".join(DAILY_SUMS)})
SELECT day, {grain}, {columns}, {sums}
FROM ({_daily_events_sql()}) AS e
GROUP BY day, GROUPING SETS ({_grouping_sets(DAILY_GRAINS)})
"""


def _duration_insert_sql() -> str:
    def event(metric: str, prefix: str) -> str:
        return (
            f"SELECT f.{prefix}_day AS day, {DIMS_SQL}, '{metric}' AS metric, "
            f"f.{prefix}_seconds AS seconds FROM {FACT} f "
            f"WHERE f.{prefix}_day IN (SELECT day FROM dash_dirty)"
        )

    band = (
        "CASE WHEN seconds < 60 THEN 0 "
        f"ELSE 1 + floor(ln(seconds / 60.0) / ln({BAND_RATIO}))::int END"
    )
    grain, columns = _grain_sql(DURATION_GRAINS)
    return f"""
INSERT INTO {DURATION} (day, grain, {DIMS_SQL}, metric, band, clocks, seconds)
SELECT day, {grain}, {columns}, metric, band, count(*), sum(seconds)
FROM (SELECT e.*, {band} AS band
      FROM ({event(SlaMetric.FIRST_RESPONSE, "response")}
            UNION ALL {event(SlaMetric.RESOLUTION, "resolution")}) AS e) AS b
GROUP BY day, metric, band, GROUPING SETS ({_grouping_sets(DURATION_GRAINS)})
"""


def _params(**extra) -> dict:
    return {
        "tz": settings.TIME_ZONE,
        "resolved": [TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value],
        "stopped": [SlaState.MET.value, SlaState.BREACHED.value],
        "met": SlaState.MET.value,
        "response": SlaMetric.FIRST_RESPONSE.value,
        "resolution": SlaMetric.RESOLUTION.value,
        **extra,
    }


OPEN_NOW = DashboardOpenNow._meta.db_table
# Backlog age bands (days since raised, lower bound inclusive of older): under 1, 1–3, 3–7,
# 7–30, over 30. The overview's AGE_BUCKETS labels them.
AGE_BAND_DAYS = (1, 3, 7, 30)
# A running clock with less than this share of its target left (wall clock) is "at risk":
# the same 75 % line the desk's SLA badge turns amber at (tickets.sla.WARNING_PCT). Wall-clock
# time left is at least the business time left, so this never flags a clock that still has
# more business time than that; one comparison instead of calendar arithmetic per row.
AT_RISK_SHARE_LEFT = 0.25


def _open_now_sql() -> str:
    grain, columns = _grain_sql(DAILY_GRAINS)
    bands = " ".join(
        f"WHEN t.created_at > %(now)s - interval '{days} days' THEN {index}"
        for index, days in enumerate(AGE_BAND_DAYS)
    )

    def clock(alias: str, prefix: str) -> str:
        return (
            f"COALESCE({alias}.state = %(breached)s, false)::int AS {prefix}_breached, "
            f"COALESCE({alias}.state = %(running)s AND {alias}.due_at > %(now)s AND "
            f"{alias}.due_at - {alias}.target_minutes * interval '{AT_RISK_SHARE_LEFT} minutes'"
            f" <= %(now)s, false)::int AS {prefix}_at_risk"
        )

    return f"""
INSERT INTO {OPEN_NOW} (grain, {DIMS_SQL}, age_band, tickets, response_breached,
                        response_at_risk, resolution_breached, resolution_at_risk)
SELECT {grain}, {columns}, age_band, count(*), sum(response_breached),
       sum(response_at_risk), sum(resolution_breached), sum(resolution_at_risk)
FROM (
  SELECT t.assignment_team_id AS team_id, t.assignee_id, t.service_id, t.priority,
         t.channel, t.category_id,
         CASE {bands} ELSE {len(AGE_BAND_DAYS)} END AS age_band,
         {clock("fr", "response")}, {clock("rs", "resolution")}
  FROM tickets_ticket t
  LEFT JOIN tickets_slaclock fr ON fr.ticket_id = t.id AND fr.metric = %(response)s
       AND fr.stopped_at IS NULL
  LEFT JOIN tickets_slaclock rs ON rs.ticket_id = t.id AND rs.metric = %(resolution)s
       AND rs.stopped_at IS NULL
  WHERE t.status = ANY(%(open)s)
) AS o
GROUP BY age_band, GROUPING SETS ({_grouping_sets(DAILY_GRAINS)})
"""


def _snapshot_open(cursor, now: datetime) -> float:
    """Replace the open-ticket snapshot with the state at `now`; returns seconds taken."""
    start = time.perf_counter()
    cursor.execute(f"DELETE FROM {OPEN_NOW}")
    cursor.execute(
        _open_now_sql(),
        _params(
            now=now,
            open=[str(s) for s in OPEN_STATUSES],
            breached=SlaState.BREACHED.value,
            running=SlaState.RUNNING.value,
        ),
    )
    return round(time.perf_counter() - start, 2)


TEMP_TABLES = ("dash_candidates", "dash_current", "dash_changed", "dash_dirty")


@dataclass(frozen=True)
class RollupResult:
    tickets: int  # tickets whose facts changed
    days: int  # days rewritten
    full: bool
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step


def _apply(cursor, *, since: datetime | None) -> RollupResult:
    """Compare the candidates' facts with the stored ones and rewrite what differs."""
    steps: dict[str, float] = {}

    def run(step: str, sql: str, params=None) -> None:
        start = time.perf_counter()
        cursor.execute(sql, params)
        steps[step] = steps.get(step, 0.0) + time.perf_counter() - start

    for name in TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute("CREATE TEMP TABLE dash_candidates (ticket_id bigint PRIMARY KEY)")
    if since is None:
        run("candidates", CANDIDATES_ALL_SQL)
    else:
        run("candidates", CANDIDATES_SINCE_SQL, _params(since=since))
    cursor.execute("ANALYZE dash_candidates")
    run("current facts", CURRENT_FACTS_SQL, _params())
    run("compare", _changed_sql())
    cursor.execute("SELECT count(*) FROM dash_changed")
    (changed,) = cursor.fetchone()
    days = 0
    if changed:
        run("dirty days", _dirty_days_sql())
        # Temp tables have no statistics: without them a few dirty days are planned as if
        # they were many (sequential scans of the facts instead of the day indexes).
        cursor.execute("ANALYZE dash_dirty")
        cursor.execute("ANALYZE dash_changed")
        cursor.execute("SELECT count(*) FROM dash_dirty")
        (days,) = cursor.fetchone()
        columns = ", ".join(FACT_COLUMNS)
        run(
            "write facts",
            f"DELETE FROM {FACT} WHERE ticket_id IN (SELECT ticket_id FROM dash_changed)",
        )
        run(
            "write facts",
            f"INSERT INTO {FACT} (ticket_id, {columns}) SELECT ticket_id, {columns} "
            "FROM dash_current WHERE ticket_id IN (SELECT ticket_id FROM dash_changed)",
        )
        for table in (DAILY, DURATION):
            run("daily sums", f"DELETE FROM {table} WHERE day IN (SELECT day FROM dash_dirty)")
        run("daily sums", _daily_insert_sql())
        run("histograms", _duration_insert_sql())
    for name in TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return RollupResult(
        tickets=changed,
        days=days,
        full=since is None,
        steps={k: round(v, 2) for k, v in steps.items()},
    )


def _locked_state() -> DashboardRollupState:
    DashboardRollupState.objects.get_or_create(pk=1)
    return DashboardRollupState.objects.select_for_update().get(pk=1)


@transaction.atomic
def dashboard_rollup_refresh(*, reconcile: bool | None = None) -> RollupResult:
    """Bring the rollup up to date with the tickets (the beat task's service).

    Looks at the tickets touched since the last watermark (minus `OVERLAP`); with
    `reconcile` (by default once every `RECONCILE_EVERY`, and always on the first run) at
    every ticket. Waits for a refresh already running (row lock), then finds its work done.
    """
    state = _locked_state()
    started = timezone.now()
    if reconcile is None:
        reconcile = state.reconciled_at is None or started - state.reconciled_at >= (
            RECONCILE_EVERY
        )
    since = None if reconcile or state.watermark is None else state.watermark - OVERLAP
    with connection.cursor() as cursor:
        result = _apply(cursor, since=since)
        result.steps["open now"] = _snapshot_open(cursor, started)
        if result.full:
            cursor.execute(f"ANALYZE {FACT}")
            cursor.execute(f"ANALYZE {DAILY}")
            cursor.execute(f"ANALYZE {DURATION}")
    state.watermark = started
    state.refreshed_at = timezone.now()
    if result.full:
        state.reconciled_at = started
    state.last_tickets, state.last_days = result.tickets, result.days
    state.open_as_of = started
    state.save()
    return result


@transaction.atomic
def dashboard_rollup_rebuild() -> RollupResult:
    """Throw the rollup away and build it again from every ticket (install, after a bulk
    load such as `generate_data`, after changing TIME_ZONE). Readers of the dashboards wait
    for it (TRUNCATE), so it is not what the beat runs."""
    state = _locked_state()
    started = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {FACT}, {DAILY}, {DURATION}, {OPEN_NOW}")
        result = _apply(cursor, since=None)
        result.steps["open now"] = _snapshot_open(cursor, started)
        for table in (FACT, DAILY, DURATION, OPEN_NOW):
            cursor.execute(f"ANALYZE {table}")
    state.watermark = state.reconciled_at = started
    state.refreshed_at = timezone.now()
    state.last_tickets, state.last_days = result.tickets, result.days
    state.open_as_of = started
    state.save()
    return result
