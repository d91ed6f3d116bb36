"""Queue export (tickets/export.py): time and peak memory of CSV and XLSX at 10k and 100k rows.

Usage: DATABASE_URL=... python bench/bench_export.py
With fewer than 100k tickets in the database, the missing ones are first generated with
`manage.py generate_data` (set BENCH_EXPORT_GENERATE=0 to refuse instead). BENCH_EXPORT_ROWS
changes the sizes (default "10000,100000"); do not run it at 1M on a shared machine.

Each size and format runs in a child process of its own, so its figures are its own:
- time: wall clock of the export, from the first row read to the last byte written;
- peak RSS growth: the child's resident-set high-water mark (ru_maxrss) after the export
  minus before it: the whole process, including psycopg2's and xlsxwriter's C buffers;
- Python peak: the tracemalloc peak of the same export run again under tracemalloc (slower;
  only Python allocations).
Flat memory means the figures at 100k stay about those at 10k; a loaded result would grow
tenfold. The rows are the desk's "everything" queue sorted by newest first (queue_view), cut
to the newest N tickets by id, read through the same functions the download uses.
"""

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from itsm.accounts.roles import user_is_staff_member  # noqa: E402
from tickets.export import csv_lines, export_rows, xlsx_file  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from tickets.queue_query import queue_view  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_EXPORT_ROWS", "10000,100000").split(",")]


def _desk_user() -> User:
    for user in User.objects.filter(is_active=True).order_by("-is_superuser", "id")[:200]:
        if user_is_staff_member(user):
            return user
    raise SystemExit("No desk user in this database: run seed_demo first.")


def _tickets(rows: int):
    cut = Ticket.objects.order_by("-id").values_list("id", flat=True)[rows - 1]
    view = queue_view(user=_desk_user(), query=QueryDict("sort=-created_at"))
    return view.tickets.filter(id__gte=cut)


def _export(fmt: str, rows: int) -> int:
    """Run one export; returns the bytes it produced."""
    tickets = _tickets(rows)
    if fmt == "csv":
        return sum(len(line.encode()) for line in csv_lines(export_rows(tickets)))
    with xlsx_file(export_rows(tickets)) as out:
        return out.seek(0, os.SEEK_END)


def child(fmt: str, rows: int) -> None:
    _tickets(rows).exists()  # connection, permissions and imports outside the figures
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    size = _export(fmt, rows)
    seconds = time.perf_counter() - start
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    tracemalloc.start()
    _export(fmt, rows)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bytes": size,
                "rss_growth_mb": rss_growth_kb / 1024,
                "python_peak_mb": python_peak / 2**20,
            }
        )
    )


def main() -> None:
    have = Ticket.objects.count()
    need = max(SIZES)
    if have < need:
        if os.environ.get("BENCH_EXPORT_GENERATE", "1") == "0":
            raise SystemExit(f"{have:,} tickets; the benchmark needs {need:,}.")
        call_command("generate_data", tickets=need - have)
    print(f"tickets in database: {Ticket.objects.count():,}   load average {os.getloadavg()}")
    print(
        f"{'export':<14}{'rows':>9}{'time':>10}{'rows/s':>10}{'size':>10}"
        f"{'peak RSS growth':>18}{'Python peak':>14}"
    )
    for fmt in ("csv", "xlsx"):
        for rows in SIZES:
            out = subprocess.run(
                [sys.executable, __file__, "--child", fmt, str(rows)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"{fmt:<14}{rows:>9,}{r['seconds']:>9.1f}s{rows / r['seconds']:>10,.0f}"
                f"{r['bytes'] / 2**20:>8.1f}MB{r['rss_growth_mb']:>16.1f}MB"
                f"{r['python_peak_mb']:>12.1f}MB"
            )
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
