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


def measure(
    label: str,
    call: Callable[[], Any],
    *,
    expect: int = 200,
    before_each: Callable[[], None] | None = None,
) -> None:
    """Print the figures of RUNS calls of `call` after one that warms the connection (and
    the caches, unless `before_each` empties them before every call). The queries are
    counted on one more call: counting wraps every query in Django's debug cursor, which
    formats and logs each statement, a cost the served page does not have."""
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
    print(
        f"{label:<32} median {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
        f"python cpu {statistics.median(cpu):6.1f} ms   queries {queries}"
    )
