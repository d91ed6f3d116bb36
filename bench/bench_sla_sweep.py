"""SLA sweep benchmark: 100k running clocks, 10k of them past a threshold.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench
    manage.py migrate && manage.py seed_demo && manage.py generate_data --tickets 100000
    .venv/bin/python bench/bench_sla_sweep.py [--clocks 100000] [--due 10000] [--runs 3]

Replaces every SLA clock in the database with synthetic ones (bulk insert, one resolution
clock per ticket, P3 policy, 24x7), then times the sweep batch by batch (wall and CPU time) and counts the queries of each
batch, split into the sweep's own queries and those of the notification outbox, and the
delivery tasks published after each commit.

With `--workers 2` (the default runs 1, then 2) it also times the sweep as the `sla_sweep`
task runs it on a worker with two processes: one process sweeps, and when more clocks are
due than one batch holds it first starts the helper, a second process that was idle until
then (as a worker process waiting on the `sla` queue is); both sweep until a batch comes
back short. Wall time runs from the backlog check until the last process finishes. Delivery
tasks go to Redis database 15 (flushed at the end) unless CELERY_BROKER_URL is set, so no
other worker picks them up. Never run it on a production database.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

import django

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from itsm.notifications import tasks as notification_tasks  # noqa: E402
from itsm.notifications.models import Notification  # noqa: E402
from itsm.notifications.services import dispatch as notification_dispatch  # noqa: E402
from tickets.models import SlaClock, SlaPolicy, SlaThresholdFired, Ticket  # noqa: E402
from tickets.sla import services as sla_services  # noqa: E402
from tickets.sla.rules import SlaMetric, SlaState  # noqa: E402

INSERT_BATCH = 10_000


def build_clocks(n_clocks: int, n_due: int) -> None:
    SlaThresholdFired.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SlaClock._meta.db_table} CASCADE")
    policy = SlaPolicy.objects.get(name="P3 default")
    ticket_ids = list(Ticket.objects.order_by("id").values_list("id", flat=True)[:n_clocks])
    if len(ticket_ids) < n_clocks:
        sys.exit(f"Only {len(ticket_ids)} tickets; run generate_data --tickets {n_clocks}.")
    now = timezone.now()
    target = timedelta(minutes=policy.resolution_minutes)
    rows = []
    for i, ticket_id in enumerate(ticket_ids):
        due = i < n_due
        # Due clocks started 80 % of the target ago (past 75 %); the others 10 % ago.
        started = now - (target * 0.8 if due else target * 0.1) - timedelta(seconds=i % 600)
        rows.append(
            SlaClock(
                ticket_id=ticket_id,
                metric=SlaMetric.RESOLUTION,
                policy=policy,
                target_minutes=policy.resolution_minutes,
                state=SlaState.RUNNING,
                started_at=started,
                running_since=started,
                due_at=started + target,
                next_threshold=75,
                next_due_at=started + target * 0.75,
            )
        )
    for start in range(0, len(rows), INSERT_BATCH):
        SlaClock.objects.bulk_create(rows[start : start + INSERT_BATCH])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SlaClock._meta.db_table}")
        # Every run starts right after a checkpoint, so each pays the same full-page
        # writes: a checkpoint falling inside some sweeps and not others made runs differ
        # by a second.
        cursor.execute("CHECKPOINT")


def backend_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's Postgres backend (user + system), read from
    /proc when the server runs on this machine; None otherwise. With the process's own CPU
    time it gives the sweep's cost without the waiting a busy, shared machine adds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sweep_once(args) -> dict:
    """One full sweep, batch by batch, with per-batch timings and query counts."""
    batches = []
    reads = sla_services.SweepReads()  # as sla_sweep does: read once, used by every batch
    pg_start = backend_cpu_seconds()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        with CaptureQueriesContext(connection) as ctx:
            b_start = time.perf_counter()
            claimed = sla_services.sla_sweep_batch(batch_size=args.batch, reads=reads)
            elapsed = time.perf_counter() - b_start
        kinds = Counter(
            "outbox" if ("notifications_" in q["sql"] or "contenttypes" in q["sql"]) else "sweep"
            for q in ctx.captured_queries
        )
        batches.append((claimed, elapsed, kinds["sweep"], kinds["outbox"]))
        if claimed < args.batch:
            break
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    pg_end = backend_cpu_seconds()
    pg = pg_end - pg_start if pg_start is not None and pg_end is not None else None
    return {"wall": wall, "cpu": cpu, "pg_cpu": pg, "batches": batches}


def report_sequential(result: dict, args, enqueue: dict) -> None:
    batches, total, pg_cpu = result["batches"], result["wall"], result["pg_cpu"]
    print(
        f"  sweep: {sum(b[0] for b in batches)} clocks in {len(batches)} batches of "
        f"{args.batch}: {total:.2f} s wall, {result['cpu']:.2f} s CPU of this process"
    )
    if pg_cpu is not None:
        print(
            f"  CPU: Python {result['cpu']:.2f} s + Postgres backend {pg_cpu:.2f} s = "
            f"{result['cpu'] + pg_cpu:.2f} s (wall minus this is waiting: I/O, other load)"
        )
    print(
        f"  publishing {enqueue['ids']} delivery ids in {enqueue['publishes']} tasks after "
        f"commit: {enqueue['seconds']:.2f} s; sweep + outbox writes: "
        f"{total - enqueue['seconds']:.2f} s"
    )
    full = [b for b in batches if b[0]]
    later = full[1:] or full
    print(
        f"  queries: first batch sweep {full[0][2]} + outbox {full[0][3]} (it also reads "
        f"policies, calendars, managers); each later non-empty batch sweep "
        f"{sorted({b[2] for b in later})} + outbox {sorted({b[3] for b in later})} "
        "(constant if one value)"
    )
    times = sorted(b[1] for b in full)
    print(
        f"  batch time: mean {total / len(batches):.3f} s, "
        f"median {times[len(times) // 2]:.3f} s, slowest {times[-1]:.3f} s"
    )


def _helper_sweep(start, results, batch: int) -> None:
    """A second worker process: idle until the first sweep finds a backlog, then sweeping."""
    start.wait()
    pg_start = backend_cpu_seconds()
    cpu_start = time.process_time()
    claimed = sla_services.sla_sweep(batch_size=batch)
    pg_end = backend_cpu_seconds()
    results.put((claimed, time.process_time() - cpu_start, (pg_end or 0) - (pg_start or 0)))


def sweep_parallel(workers: int, batch: int) -> dict:
    """The sweep with `workers` processes, started the way the `sla_sweep` task starts its
    helpers: after the first batch came back full."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    connections.close_all()  # each process opens its own connection
    helpers = [
        context.Process(target=_helper_sweep, args=(start, results, batch))
        for _ in range(workers - 1)
    ]
    for helper in helpers:
        helper.start()
    pg_start = backend_cpu_seconds()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    claimed = sla_services.sla_sweep(batch_size=batch, on_backlog=start.set)
    start.set()  # no backlog: the helpers find nothing and stop
    per_process = [(claimed, time.process_time() - cpu_start, backend_cpu_seconds() - pg_start)]
    per_process += [results.get() for _ in helpers]
    for helper in helpers:
        helper.join()
    return {"wall": time.perf_counter() - wall_start, "per_process": per_process}


def report_parallel(result: dict, workers: int) -> None:
    claimed = [p[0] for p in result["per_process"]]
    cpu = sum(p[1] + p[2] for p in result["per_process"])
    print(
        f"  sweep with {workers} processes: {sum(claimed)} clocks "
        f"({' + '.join(map(str, claimed))}) in {result['wall']:.2f} s wall; "
        f"CPU of all processes and their Postgres backends {cpu:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=sla_services.SWEEP_BATCH_SIZE)
    parser.add_argument("--runs", type=int, default=1, help="Rebuild and sweep N times.")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="Worker processes sweeping at once; each count is run (default: 1 2).",
    )
    parser.add_argument(
        "--no-outbox",
        action="store_true",
        help="Replace notification_create_many with a no-op: times the SLA sweep alone.",
    )
    args = parser.parse_args()
    if args.no_outbox:
        sla_services.notification_create_many = lambda **_kwargs: 0

    # Time the after-commit publishing of delivery tasks apart, and count the publishes.
    enqueue = {"seconds": 0.0, "ids": 0, "publishes": 0}
    real_enqueue = notification_dispatch.enqueue
    real_publish = notification_tasks.notification_deliver_many.apply_async

    def timed_enqueue(ids, **kwargs):
        start = time.perf_counter()
        try:
            return real_enqueue(ids, **kwargs)
        finally:
            enqueue["seconds"] += time.perf_counter() - start
            enqueue["ids"] += len(ids)

    def counted_publish(*a, **kw):
        enqueue["publishes"] += 1
        return real_publish(*a, **kw)

    notification_dispatch.enqueue = timed_enqueue
    notification_tasks.notification_deliver_many.apply_async = counted_publish
    # A worker process has its URLconf loaded long before a sweep; load it here too, so the
    # first batch does not pay the one-off import of every urls.py (about 0.5 s).
    reverse("tickets:desk-ticket-detail", args=["INC0000001"])

    walls: dict[int, list[float]] = {workers: [] for workers in args.workers}
    cpus, pg_cpus = [], []
    for run in range(1, args.runs + 1):
        for workers in args.workers:
            t = time.perf_counter()
            build_clocks(args.clocks, args.due)
            print(
                f"run {run}, {workers} process(es), setup: {args.clocks} running clocks, "
                f"{args.due} past 75 % ({time.perf_counter() - t:.1f} s); "
                f"outbox {'off' if args.no_outbox else 'on'}"
            )
            notifications_before = Notification.objects.count()
            enqueue.update(seconds=0.0, ids=0, publishes=0)
            load_before = os.getloadavg()
            if workers == 1:
                result = sweep_once(args)
                report_sequential(result, args, enqueue)
                cpus.append(result["cpu"])
                if result["pg_cpu"] is not None:
                    pg_cpus.append(result["pg_cpu"])
            else:
                result = sweep_parallel(workers, args.batch)
                report_parallel(result, workers)
            walls[workers].append(result["wall"])
            load_after = os.getloadavg()
            print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
            fired = SlaThresholdFired.objects.count()
            sent = Notification.objects.count() - notifications_before
            print(f"  thresholds fired: {fired}; outbox rows written: {sent}")
            still_due = SlaClock.objects.filter(
                state=SlaState.RUNNING, next_due_at__lte=timezone.now()
            ).count()
            print(f"  clocks still due after the sweep: {still_due}")
    for workers, times in walls.items():
        cpu = ""
        if workers == 1 and cpus:
            pg = f" + {statistics.median(pg_cpus):.2f} s Postgres CPU" if pg_cpus else ""
            cpu = f", {statistics.median(cpus):.2f} s Python CPU{pg}"
        print(
            f"{workers} process(es), median of {len(times)} run(s): "
            f"{statistics.median(times):.2f} s wall{cpu} "
            f"(walls: {', '.join(f'{w:.2f}' for w in times)})"
        )

    with transaction.atomic():
        t = time.perf_counter()
        list(
            SlaClock.objects.filter(state=SlaState.RUNNING, next_due_at__lte=timezone.now())
            .order_by("next_due_at")
            .values("id")[: args.batch]
        )
        print(f"empty claim query: {(time.perf_counter() - t) * 1000:.1f} ms")

    if os.environ["CELERY_BROKER_URL"].endswith("/15"):
        import redis

        redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()


if __name__ == "__main__":
    main()
