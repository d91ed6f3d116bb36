"""Dashboard overview: server time of all its JSON endpoints (the whole overview), per run.

Usage (on your own database, after migrate + seed_demo + generate_data --tickets N):
    DATABASE_URL=... python bench/bench_dashboards.py --prepare   # once, after generate_data
    DATABASE_URL=... python bench/bench_dashboards.py --rebuild   # time the rollup rebuild too
    DATABASE_URL=... python bench/bench_dashboards.py

The overview reads the rollup (itsm/dashboards/rollup.py): `--prepare` rebuilds it at the
end, `--rebuild` rebuilds and times it. Every run times two incremental refreshes, each
inside a transaction that is rolled back (the tickets are left as they were): 1,000 of the
newest open tickets resolved now (the everyday case: few dirty days), and 1,000 random
tickets moved to another team (the worst case: their every day is dirty).

`--prepare` makes the generated tickets look worked, set-based in SQL: creation times spread
over a year (generate_data's bulk insert leaves `created_at` at the insert time, because
`auto_now_add` overwrites it), resolution times, first-contact flags and reassignments,
both SLA clocks from the default P1–P5 policies (24x7, so elapsed = wall time), and survey
answers for a quarter of the resolved tickets.

Measures in-process through Django's test client as the service desk manager (view, JSON
encoding, SQL), not the network. One run = every overview endpoint once, sequentially (what
one page load costs the server); prints the median and p90 of the run sums over RUNS runs,
and each endpoint's median, for the default 30-day range and for a 365-day range.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from itsm.dashboards.models import DashboardTicketFact  # noqa: E402
from itsm.dashboards.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh  # noqa: E402
from itsm.dashboards.selectors import OVERVIEW_METRICS  # noqa: E402
from tickets.models import SlaClock, Ticket  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "10"))
GENERATED = "Generated for benchmarks."

PREPARE_SQL = [
    # Spread creation over the last year; resolution 1–72 h later for resolved/closed ones.
    """UPDATE tickets_ticket SET created_at = now() - random() * interval '365 days'
       WHERE description = %(mark)s""",
    """UPDATE tickets_ticket SET resolved_at = created_at + interval '1 hour'
              + random() * interval '71 hours',
              reassignment_count = CASE WHEN random() < 0.2 THEN 1 ELSE 0 END
       WHERE description = %(mark)s AND status IN ('resolved', 'closed')""",
    """UPDATE tickets_ticket SET is_first_contact_resolution = (reassignment_count = 0
              AND random() < 0.85),
              closed_at = CASE WHEN status = 'closed' THEN resolved_at + interval '7 days' END
       WHERE description = %(mark)s AND status IN ('resolved', 'closed')""",
    # First-response clocks: stopped (met or breached) for all but cancelled tickets.
    """INSERT INTO tickets_slaclock (ticket_id, metric, policy_id, target_minutes, state,
              started_at, elapsed, paused_total, stopped_at)
       SELECT t.id, 'first_response', p.id, p.first_response_minutes,
              CASE WHEN x.e <= p.first_response_minutes * interval '1 minute'
                   THEN 'met' ELSE 'breached' END,
              t.created_at, x.e, interval '0', t.created_at + x.e
       FROM tickets_ticket t
       JOIN tickets_slapolicy p ON p.priority = t.priority AND p.name = 'P' || t.priority
            || ' default'
       CROSS JOIN LATERAL (SELECT p.first_response_minutes * interval '1 minute'
                           * (random() * 1.3 + 0 * t.id) AS e) x
       WHERE t.description = %(mark)s AND t.status <> 'cancelled'""",
    # Resolution clocks: stopped for resolved tickets, running (or breached) for open ones.
    """INSERT INTO tickets_slaclock (ticket_id, metric, policy_id, target_minutes, state,
              started_at, running_since, elapsed, paused_total, stopped_at, due_at,
              next_due_at, next_threshold)
       SELECT t.id, 'resolution', p.id, p.resolution_minutes,
              CASE WHEN t.resolved_at IS NOT NULL THEN
                        CASE WHEN t.resolved_at - t.created_at
                                  <= p.resolution_minutes * interval '1 minute'
                             THEN 'met' ELSE 'breached' END
                   WHEN t.created_at + p.resolution_minutes * interval '1 minute' < now()
                        THEN 'breached'
                   ELSE 'running' END,
              t.created_at,
              CASE WHEN t.resolved_at IS NULL THEN t.created_at END,
              COALESCE(t.resolved_at - t.created_at, interval '0'), interval '0',
              t.resolved_at,
              CASE WHEN t.resolved_at IS NULL
                   THEN t.created_at + p.resolution_minutes * interval '1 minute' END,
              NULL, NULL
       FROM tickets_ticket t
       JOIN tickets_slapolicy p ON p.priority = t.priority AND p.name = 'P' || t.priority
            || ' default'
       WHERE t.description = %(mark)s AND t.status <> 'cancelled'""",
    """INSERT INTO tickets_satisfactionsurvey (ticket_id, respondent_id, rating, comment,
              answered_at)
       SELECT id, requester_id, 1 + floor(random() * 5)::int, '', resolved_at + interval '1 day'
       FROM tickets_ticket
       WHERE description = %(mark)s AND resolved_at IS NOT NULL AND random() < 0.25""",
    "VACUUM ANALYZE tickets_ticket",
    "ANALYZE tickets_slaclock",
    "ANALYZE tickets_satisfactionsurvey",
]


def prepare() -> None:
    if SlaClock.objects.filter(ticket__description=GENERATED).exists():
        print("already prepared")
    else:
        with connection.cursor() as cursor:
            for sql in PREPARE_SQL:
                start = time.perf_counter()
                cursor.execute(sql, {"mark": GENERATED})
                print(f"{time.perf_counter() - start:6.1f} s  {' '.join(sql.split())[:70]}")
    rebuild()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def rebuild() -> None:
    start = time.perf_counter()
    result = dashboard_rollup_rebuild()
    print(
        f"rollup rebuild: {time.perf_counter() - start:.1f} s for {result.tickets:,} tickets, "
        f"{result.days} days ({load()})\n  steps (s): {result.steps}"
    )


TOUCH = {
    "1,000 newest open tickets resolved now": [
        """CREATE TEMP TABLE bench_touched AS SELECT id FROM tickets_ticket
           WHERE status IN ('new', 'in_progress') ORDER BY created_at DESC LIMIT 1000""",
        """UPDATE tickets_ticket SET status = 'resolved', resolution_code = 'solved',
                  resolved_at = now(), updated_at = now()
           WHERE id IN (SELECT id FROM bench_touched)""",
        """UPDATE tickets_slaclock SET stopped_at = now(), running_since = NULL,
                  elapsed = now() - started_at,
                  state = CASE WHEN due_at > now() THEN 'met' ELSE 'breached' END
           WHERE metric = 'resolution' AND stopped_at IS NULL
                 AND ticket_id IN (SELECT id FROM bench_touched)""",
    ],
    "1,000 random tickets moved to another team": [
        """CREATE TEMP TABLE bench_touched AS SELECT id FROM tickets_ticket
           ORDER BY random() LIMIT 1000""",
        """UPDATE tickets_ticket SET updated_at = now(), assignee_id = NULL,
                  assignment_team_id = (SELECT min(id) FROM accounts_team
                                        WHERE id <> tickets_ticket.assignment_team_id)
           WHERE id IN (SELECT id FROM bench_touched)""",
    ],
}


class Rollback(Exception):
    pass


def incremental() -> None:
    """Refresh timings: with nothing to do, then after each TOUCH (rolled back after)."""
    start = time.perf_counter()
    result = dashboard_rollup_refresh(reconcile=False)
    print(
        f"incremental refresh, nothing touched: {time.perf_counter() - start:.2f} s "
        f"({load()})\n  steps (s): {result.steps}"
    )
    for label, statements in TOUCH.items():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
                start = time.perf_counter()
                result = dashboard_rollup_refresh(reconcile=False)
                print(
                    f"incremental refresh, {label}: {time.perf_counter() - start:.2f} s, "
                    f"{result.tickets} tickets changed, {result.days} days rewritten "
                    f"({load()})\n  steps (s): {result.steps}"
                )
                raise Rollback
        except Rollback:
            pass


def measure(client: Client, label: str, params: dict[str, str]) -> None:
    urls = {metric: f"/dashboards/api/{metric}.json" for metric in OVERVIEW_METRICS}
    for url in urls.values():
        client.get(url, params)  # warm connection and plans
    sums, per_metric = [], {metric: [] for metric in urls}
    for _ in range(RUNS):
        total = 0.0
        for metric, url in urls.items():
            start = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (url, response.status_code)
            per_metric[metric].append(elapsed)
            total += elapsed
        sums.append(total)
    sums.sort()
    print(
        f"\n{label}: whole overview ({len(urls)} endpoints) median {statistics.median(sums):.0f} ms,"
        f" p90 {sums[int(len(sums) * 0.9) - 1]:.0f} ms, min {sums[0]:.0f} ms ({RUNS} runs; "
        f"{load()})"
    )
    for metric, timings in sorted(per_metric.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {metric:<26} median {statistics.median(timings):7.1f} ms")


ROLLUP_TABLES = (
    "dashboards_dashboardticketfact",
    "dashboards_dashboarddaily",
    "dashboards_dashboarddailyduration",
    "dashboards_dashboardopennow",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the rollup, timed")
    parser.add_argument(
        "--overview-only", action="store_true", help="skip the timed incremental refreshes"
    )
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    if args.rebuild or not DashboardTicketFact.objects.exists():
        rebuild()
    if not args.overview_only:
        incremental()
    # The timed refreshes roll back rewrites of up to a year of rollup rows: autovacuum would
    # clear those dead rows in a while; the overview is measured on a settled rollup.
    with connection.cursor() as cursor:
        for table in ROLLUP_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(email="manager@example.com"))
    print(
        f"tickets: {Ticket.objects.count():,}  SLA clocks: {SlaClock.objects.count():,}  {load()}"
    )
    today = timezone.localdate()
    measure(client, "last 30 days", {})
    measure(
        client,
        "last 365 days",
        {"date_from": (today - timedelta(days=364)).isoformat(), "date_to": str(today)},
    )


if __name__ == "__main__":
    main()
