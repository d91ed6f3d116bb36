"""Ticket pages per second at 8 concurrent clients, over HTTP against gunicorn.

Usage: DATABASE_URL=... python bench/bench_ticket_throughput.py [--clients 8] [--seconds 30]
(after seed_demo and generate_data; it only reads, so the shared benchmark database will do.)

The product runs as `make run` serves it (bench/served.py: gunicorn.conf.py, DEBUG off; set
WEB_CONCURRENCY / GUNICORN_THREADS to try other sizes). Each client is a thread with its own
keep-alive connection, signed in as the demo agent, fetching desk ticket pages of different
tickets (the newest with a CI, an agent and a team, as bench_ticket_page.py reads, spread
over the clients) back to back for the given time. Prints pages/s and p50/p95 per page.
Issue #19's baseline: 53 pages/s at 8 clients; target ≥ 2×.
"""

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from served import Gunicorn, served_env, spare_port

BASELINE_PAGES_PER_SECOND = 53.0


def _session_and_tickets(env: dict[str, str], count: int) -> tuple[str, str, list[str]]:
    """A signed-in session of the demo agent and `count` ticket numbers to read, made with
    the server's own settings (its SECRET_KEY signs the session)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from itsm.accounts.models import User
    from tickets.models import Ticket

    numbers = list(
        Ticket.objects.filter(ci__isnull=False, assignee__isnull=False, kind="incident")
        .order_by("-id")
        .values_list("number", flat=True)[:count]
    ) or list(Ticket.objects.order_by("-id").values_list("number", flat=True)[:count])
    client = Client()
    client.force_login(User.objects.get(email="agent@example.com"))
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value, numbers


def _client(port, cookie, numbers, until, timings, errors) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    index = 0
    while time.monotonic() < until:
        number = numbers[index % len(numbers)]
        index += 1
        started = time.perf_counter()
        connection.request("GET", f"/desk/tickets/{number}/", headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200 or number.encode() not in body:
            errors.append(response.status)
        else:
            timings.append(elapsed)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=15, help="untimed seconds first")
    args = parser.parse_args()
    env = served_env(os.environ["DATABASE_URL"], spare_port())
    name, value, numbers = _session_and_tickets(env, args.clients * 25)
    cookie = f"{name}={value}"
    with Gunicorn(env, Path(tempfile.mkdtemp(prefix="itsm-throughput-"))) as server:

        def run(seconds: float) -> tuple[list[float], list[int], float]:
            timings: list[float] = []
            errors: list[int] = []
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=_client,
                    args=(server.port, cookie, numbers[i :: args.clients], until, timings, errors),
                )
                for i in range(args.clients)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return timings, errors, time.monotonic() - started

        # Every worker process answers its first page slowly (imports, connections, template
        # caches): all clients run for a while, untimed, so each worker has served some.
        run(args.warmup)
        timings, errors, elapsed = run(args.seconds)
        tracebacks = server.tracebacks()
    timings.sort()
    rate = len(timings) / elapsed
    print(
        f"{args.clients} clients, {elapsed:.0f} s, gunicorn {os.environ.get('WEB_CONCURRENCY', 2)}"
        f" workers x {os.environ.get('GUNICORN_THREADS', 2)} threads, load average "
        f"{os.getloadavg()}"
    )
    print(
        f"ticket pages: {rate:.1f} pages/s ({rate / BASELINE_PAGES_PER_SECOND:.2f}x the old "
        f"{BASELINE_PAGES_PER_SECOND:.0f})   p50 {statistics.median(timings):.1f} ms   "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms   errors {len(errors)}   "
        f"server tracebacks {tracebacks}"
    )


if __name__ == "__main__":
    main()
