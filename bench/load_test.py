"""Load test: 50 agents and 150 requesters (bench/locustfile.py) against the product served as
`make run` serves it (gunicorn with gunicorn.conf.py, DEBUG off), on loopback only, for a
bounded time; prints throughput, p50/p95/p99 per action and the errors.

Usage (on a copy of the 1M benchmark database: the test writes replies, assignments and
tickets, and hands 3,000 tickets to its requesters):
    createdb -U postgres -h 127.0.0.1 -T itsm_b1m itsm_b1m_load
    LOAD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_b1m_load \\
        python bench/load_test.py [--minutes 10] [--spawn-rate 10]
Options by environment too: LOAD_MINUTES (10), LOAD_AGENTS (50), LOAD_REQUESTERS (150),
LOAD_THINK_SCALE (1: agents wait 2–6 s between actions, requesters 5–15 s),
WEB_CONCURRENCY / GUNICORN_THREADS (gunicorn.conf.py's defaults, 2 × 2), LOCUST (the locust
executable; default: `.venv-load/bin/locust`, installed from bench/requirements-load.txt on
first use). Target (issue #19): 0 errors, p95 ≤ 300 ms.

Mail goes to SentMail rows (EMAIL_URL=dbmail://, as `make run`); no Celery worker is started,
so notifications wait in the outbox as they would while workers are busy.
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from served import BIN, ROOT, Gunicorn, served_env, spare_port

P95_TARGET_MS = 300


def _report(stats_csv: Path, seconds: float) -> int:
    rows = list(csv.DictReader(stats_csv.open()))
    print(f"\n{'action':<26}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    worst = 0.0
    errors = 0
    for row in rows:
        name = "total" if row["Name"] == "Aggregated" else row["Name"]
        p95 = float(row["95%"] or 0)
        if name != "total":
            worst = max(worst, p95)
        else:
            errors = int(row["Failure Count"])
        print(
            f"{name:<26}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    print(f"(milliseconds; {seconds / 60:.1f} min; load average {os.getloadavg()})")
    ok = errors == 0 and worst <= P95_TARGET_MS
    print(
        f"target 0 errors and p95 <= {P95_TARGET_MS} ms per action: "
        f"{'met' if ok else 'NOT met'} ({errors} errors, worst p95 {worst:.0f} ms)"
    )
    return 0 if ok else 1


def _load_venv_locust() -> str:
    """Locust from `.venv-load`, made from bench/requirements-load.txt on first use (kept out
    of the product's own environment)."""
    venv = ROOT / ".venv-load"
    locust = venv / "bin" / "locust"
    if not locust.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q"]
        subprocess.run([*pip, "-r", str(ROOT / "bench" / "requirements-load.txt")], check=True)
    return str(locust)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("LOAD_MINUTES", 10)))
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    args = parser.parse_args()
    database_url = os.environ.get("LOAD_DATABASE_URL")
    if not database_url or database_url.rstrip("/").endswith("/itsm_b1m"):
        raise SystemExit("Set LOAD_DATABASE_URL to a COPY of the benchmark database (it writes).")
    locust = os.environ.get("LOCUST") or _load_venv_locust()
    work = Path(tempfile.mkdtemp(prefix="itsm-load-"))
    env = {**served_env(database_url, spare_port()), "LOAD_USERS_FILE": str(work / "people.json")}
    subprocess.run(
        [str(BIN / "python"), "bench/load_setup.py", env["LOAD_USERS_FILE"]],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with Gunicorn(env, work) as server:
        users = int(env.get("LOAD_AGENTS", 50)) + int(env.get("LOAD_REQUESTERS", 150))
        started = time.monotonic()
        subprocess.run(
            [
                locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                "--host", server.url, "--users", str(users),
                "--spawn-rate", str(args.spawn_rate), "--run-time", f"{int(args.minutes * 60)}s",
                "--stop-timeout", "10", "--csv", str(work / "load"), "--only-summary",
                "--loglevel", "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )  # fmt: skip
        seconds = time.monotonic() - started
    code = _report(work / "load_stats.csv", seconds)
    print(f"server tracebacks: {server.tracebacks()}; logs and CSVs in {work}")
    if os.environ.get("LOAD_KEEP_LOGS") != "1" and code == 0:
        shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
