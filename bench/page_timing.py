"""One way to time a page in-process for the page benchmarks (bench_ticket_page.py,
bench_desk_home.py): median and p95 server time through Django's test client (view, template
and SQL), this process's CPU time alone, and the page's query count."""

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def machine_speed_ms() -> float:
    """This machine's speed right now, as the CPU time of a fixed pure-Python loop: a shared
    virtual machine's speed moves over the hours (one session saw the same loop take 260 and
    490 ms), and figures from different moments compare only beside it."""
    start = time.process_time()
    total = 0
    for i in range(3_000_000):
        total += i * i
    return (time.process_time() - start) * 1000


def measure(
    label: str,
    call: Callable[[], Any],
    *,
    expect: int = 200,
    before_each: Callable[[], None] | None = None,
    with_sql: bool = False,
    describe: Callable[[Any], str] | None = None,
) -> None:
    """Print the figures of RUNS calls of `call` after one that warms the connection (and
    the caches, unless `before_each` empties them before every call). The queries are
    counted on one more call: counting wraps every query in Django's debug cursor, which
    formats and logs each statement, a cost the served page does not have. `with_sql` also
    replays that call's statements alone (raw_sql_ms) and prints the page's time against it;
    `describe` adds what it says of that call's response to the line."""
    call()
    timings, cpu = [], []
    for _ in range(RUNS):
        if before_each is not None:
            before_each()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == expect, (label, response.status_code)
    if before_each is not None:
        before_each()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == expect, (label, response.status_code)
    queries = len(ctx.captured_queries)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    median = statistics.median(timings)
    sql = ""
    if with_sql:
        raw = raw_sql_ms([q["sql"] for q in ctx.captured_queries])
        sql = f"   raw sql {raw:5.1f} ms ({median / raw:4.1f}x, {1 - raw / median:4.0%} outside)"
    if describe is not None:
        sql += f"   {describe(response)}"
    print(
        f"{label:<40} median {median:7.1f} ms   p95 {p95:7.1f} ms   "
        f"python cpu {statistics.median(cpu):6.1f} ms   queries {queries}{sql}"
    )


# What a page's transaction bookkeeping sends: not its SQL to replay.
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT")


def raw_sql_ms(statements: list[str]) -> float:
    """The median time, over RUNS replays, of sending a page's statements (as the debug
    cursor wrote them down, values in place) one after the other on the connection, from
    this client: the page's "own raw SQL", round trips included."""
    statements = [s for s in statements if not s.startswith(_BOOKKEEPING)]
    timings = []
    with connection.cursor() as cursor:
        for _ in range(RUNS + 1):
            start = time.perf_counter()
            for statement in statements:
                cursor.execute(statement)
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings[1:])
