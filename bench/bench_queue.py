"""Queue page and API list: median / p95 server time and query count.

Usage: DATABASE_URL=... python bench/bench_queue.py   (after seed_demo and generate_data)
Measures in-process through Django's test client (view + template rendering + SQL), not the
network (bench/page_timing.py). Prints one line per scenario with the page's own raw SQL (its
statements replayed alone) and how many times that the page takes, then the queue pages
again with the agent's queue counts and the filter choice lists recomputed on every load (a
cold cache: an agent's first page, or ITSM_QUEUE_COUNT_SECONDS=0).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from page_timing import machine_speed_ms, measure  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from tickets.selectors import FILTER_CHOICES_KEY, queue_counts_forget  # noqa: E402

SCENARIOS = [
    ("queue: all open, 50 rows", "/desk/tickets/?queue=open&page_size=50"),
    ("queue: my teams' unassigned", "/desk/tickets/?queue=team-unassigned&page_size=50"),
    ("queue: P1 open, sorted by priority", "/desk/tickets/?queue=open&priority=1&sort=priority"),
    ("queue: page 20 of all open", "/desk/tickets/?queue=open&page=20"),
    ("queue: all open by SLA, breached first", "/desk/tickets/?queue=open&sort=sla_due"),
    ("queue: search a requester's name", "/desk/tickets/?queue=&q=okonkwo"),
    ("api: incidents list, 50", "/api/v1/incidents/?page_size=50"),
    ("api: incidents status=open priority=2", "/api/v1/incidents/?status=open&priority=2"),
]


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    agent = User.objects.get(email="manager@example.com")
    client = Client()
    client.force_login(agent)
    print(f"tickets in database: {Ticket.objects.count():,}   load average {os.getloadavg()}")
    print(f"machine speed: reference loop {machine_speed_ms():.0f} ms (page_timing.py)")
    for label, url in SCENARIOS:
        _measure(client, agent, label, url)
    print("cold cache (queue counts and filter choices computed on every load):")
    for label, url in SCENARIOS:
        if url.startswith("/desk/"):
            _measure(client, agent, label, url, cold=True)
    print(f"load average {os.getloadavg()}   reference loop {machine_speed_ms():.0f} ms")


def _measure(client: Client, agent: User, label: str, url: str, *, cold: bool = False) -> None:
    def forget_counts() -> None:
        cache.delete(FILTER_CHOICES_KEY)
        queue_counts_forget(user=agent)

    measure(
        label,
        lambda: client.get(url),
        before_each=forget_counts if cold else None,
        with_sql=not cold,
    )


if __name__ == "__main__":
    main()
