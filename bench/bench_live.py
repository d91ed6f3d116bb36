"""Live ticket pages (issue 21): 100 agents, each with a ticket page open, polling the server
as `make run` serves it (gunicorn with gunicorn.conf.py: 2 workers × 2 threads, DEBUG off).

Usage: DATABASE_URL=... REDIS_URL=... python bench/bench_live.py   (after migrate and seed_demo)
BENCH_LIVE_AGENTS (100), BENCH_LIVE_SECONDS (30 per phase).

It makes BENCH_LIVE_AGENTS agents (bench-live-N@example.com) and a ticket each, signs each
in (a session row, as a browser would hold), starts gunicorn on a spare port and runs one
poller thread per agent doing what static/js/live.js does: GET …/live/ every
TICKET_POLL_SECONDS with the version and presence it holds, and on "changed" fetch the page's
partial (the ordinary ticket view with HX-Request) as the page does; each first draws its page
once (for the version and the poll token). Two phases:
- quiet: nobody writes; the server's CPU is the steady-state cost of the open pages;
- updates: another agent replies on a random one of the tickets every 2 s; each reply's
  latency is from its commit to the end of the partial's fetch by the page that shows it.
Server CPU is read from /proc/<pid>/stat of the gunicorn master and its workers (utime +
stime, children included), so the pollers' own CPU in this process is not counted. On a
shared machine the figures are indicative: the latency includes waiting for a core.
"""

import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
# The server and this process must agree on the key: a session carries a hash made with it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from itsm.accounts.roles import Role  # noqa: E402
from tickets import live, services  # noqa: E402
from tickets.models import Ticket  # noqa: E402

AGENTS = int(os.environ.get("BENCH_LIVE_AGENTS", "100"))
PHASE_SECONDS = float(os.environ.get("BENCH_LIVE_SECONDS", "30"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
MARKER = re.compile(r'id="live-version" data-version="(\d+)" data-token="([^"]+)"')


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_cpu_seconds(master: int) -> float:
    """utime + stime of the gunicorn master and every worker (read from /proc)."""
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def agents_and_tickets() -> list[tuple[User, Ticket, str]]:
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=Role.AGENT)
    requester = User.objects.filter(email="requester@example.com").first() or User.objects.first()
    made = []
    for n in range(AGENTS):
        user, created = User.objects.get_or_create(
            email=f"bench-live-{n}@example.com", defaults={"display_name": f"Bench Agent {n}"}
        )
        if created:
            user.groups.add(group)
        ticket = Ticket.objects.filter(short_description=f"Bench live {n}").first()
        if ticket is None:
            ticket = services.ticket_create(
                actor=user, requester=requester, short_description=f"Bench live {n}"
            )
        client = Client()
        client.force_login(user)
        made.append((user, ticket, client.cookies[settings.SESSION_COOKIE_NAME].value))
    return made


class Poller(threading.Thread):
    def __init__(self, base: str, ticket: Ticket, session: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.number, self.stop = base, ticket.number, stop
        self.version, self.presence = ticket.version, ""
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
        self.token = ""
        self.drawn = threading.Event()
        self.polls = self.errors = self.fetches = 0
        self.seen: dict[int, float] = {}  # version → when the page had it drawn

    def get(self, path: str, **headers: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path, headers={"Cookie": self.cookie, **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def draw(self, **headers: str) -> bool:
        """The page (or its partial, as the page fetches it on a change): version and token."""
        status, body = self.get(f"/desk/tickets/{self.number}/", **headers)
        found = MARKER.search(body.decode())
        if status != 200 or not found:
            self.errors += 1
            return False
        self.version, self.token = int(found.group(1)), found.group(2)
        return True

    def run(self) -> None:
        import json

        while not self.stop.is_set():
            try:
                if self.draw():
                    break
            except OSError:
                self.errors += 1
        self.drawn.set()
        time.sleep(random.uniform(0, live.TICKET_POLL_SECONDS))
        while not self.stop.is_set():
            query = f"v={self.version}&p={self.presence}&typing=0"
            try:
                status, body = self.get(
                    f"/desk/tickets/{self.number}/live/?{query}", **{"X-Live-Token": self.token}
                )
                self.polls += 1
                if status == 200:
                    answer = json.loads(body)
                    self.presence = answer.get("p", "")
                    if answer.get("changed"):
                        self.fetches += 1
                        if self.draw(**{"HX-Request": "true"}):
                            self.seen[self.version] = time.time()
                elif status == 403:
                    self.draw(**{"HX-Request": "true"})  # the token expired
                elif status != 204:
                    self.errors += 1
            except OSError:
                self.errors += 1
            self.stop.wait(live.TICKET_POLL_SECONDS)


def phase(name: str, master: int, pollers: list[Poller], writer=None) -> None:
    polls = sum(p.polls for p in pollers)
    cpu, wall = server_cpu_seconds(master), time.monotonic()
    if writer is None:
        time.sleep(PHASE_SECONDS)
    else:
        writer(wall + PHASE_SECONDS)
    cpu, wall = server_cpu_seconds(master) - cpu, time.monotonic() - wall
    polls = sum(p.polls for p in pollers) - polls
    print(
        f"{name:8} {wall:5.1f} s  polls {polls:5} ({polls / wall:5.1f}/s)  server CPU {cpu:6.2f} s"
        f" = {100 * cpu / wall:5.1f} % of one core  ({1000 * cpu / max(polls, 1):.2f} ms/poll)"
    )


def main() -> None:
    made = agents_and_tickets()
    writer_agent = User.objects.filter(email="agent@example.com").first() or made[0][0]
    port = spare_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "ITSM_INSECURE_HTTP": "true",
        "ITSM_MFA_REQUIRED_FOR": "none",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "itsm.wsgi:application", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        time.sleep(3)  # the workers import the project
        stop = threading.Event()
        base = f"http://127.0.0.1:{port}"
        pollers = [Poller(base, ticket, session, stop) for _, ticket, session in made]
        for poller in pollers:
            poller.start()
        print(
            f"{AGENTS} agents polling every {live.TICKET_POLL_SECONDS} s; gunicorn"
            f" {os.environ.get('WEB_CONCURRENCY', '2')} workers ×"
            f" {os.environ.get('GUNICORN_THREADS', '2')} threads; load average {os.getloadavg()}"
        )
        for poller in pollers:  # every page drawn once (on a loaded machine: a while)
            poller.drawn.wait()
        print(f"pages drawn; load average {os.getloadavg()}")
        time.sleep(live.TICKET_POLL_SECONDS * 2)  # every page has drawn its presence once
        phase("quiet", server.pid, pollers)
        committed: dict[tuple[str, int], float] = {}

        def write(until: float) -> None:
            while time.monotonic() < until:
                _, ticket, _ = random.choice(made)
                ticket.refresh_from_db()
                services.comment_add(
                    ticket=ticket,
                    author=writer_agent,
                    body="Bench: a reply from someone else",
                    is_public=False,
                    expected_version=ticket.version,
                )
                committed[(ticket.number, ticket.version + 1)] = time.time()
                time.sleep(2)

        phase("updates", server.pid, pollers, writer=write)
        time.sleep(live.TICKET_POLL_SECONDS + 2)  # the last replies reach their pages
        stop.set()
        by_number = {p.number: p for p in pollers}
        latencies = [
            by_number[number].seen[version] - at
            for (number, version), at in committed.items()
            if version in by_number[number].seen
        ]
        missed = len(committed) - len(latencies)
        if latencies:
            latencies.sort()
            p95 = latencies[int(0.95 * (len(latencies) - 1))]
            print(
                f"updates  {len(committed)} replies, reached their page: median"
                f" {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max"
                f" {latencies[-1]:.2f} s; missed {missed}"
            )
        errors = sum(p.errors for p in pollers)
        print(f"errors   {errors} of {sum(p.polls for p in pollers)} polls")
        print(f"load average {os.getloadavg()}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
