"""The desk home (/desk/) and GET /api/v1/desk-home/: median / p95 server time and query
count, for an agent and for a service desk manager (who also gets the team counts).

Usage: DATABASE_URL=... python bench/bench_desk_home.py   (after seed_demo and generate_data)
In-process through Django's test client (view + template + SQL), like bench_ticket_page.py;
"python cpu" is this process's CPU time alone. Two figures per page:
  warm  the usual load: the short-lived caches (desk banner, team counts) filled, as they
        are for an agent reloading the page within ITSM_QUEUE_COUNT_SECONDS;
  cold  the caches cleared before every load: every panel and count computed.
Target (issue #16): <= 30 ms median at 1M tickets. The agent is agent@example.com (Service
Desk), the manager manager@example.com. Reads only; nothing is written.
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

# Only this benchmark's keys are dropped for a cold load, never the whole cache.
COLD_KEYS = ("major:desk-banner", "tickets:team-counts")


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    print(f"tickets in database: {Ticket.objects.count():,}   load average {os.getloadavg()}")
    print(f"machine speed: reference loop {machine_speed_ms():.0f} ms (page_timing.py)")
    for email in ("agent@example.com", "manager@example.com"):
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        who = email.split("@")[0]
        open_mine = Ticket.objects.filter(assignee=user).exclude(
            status__in=("resolved", "closed", "cancelled")
        )
        print(f"{who}: {open_mine.count():,} open tickets assigned")
        measure(f"{who}: /desk/ warm", lambda c=client: c.get("/desk/"))
        measure(
            f"{who}: /desk/ cold",
            lambda c=client: c.get("/desk/"),
            before_each=lambda: cache.delete_many(list(COLD_KEYS)),
        )
        measure(f"{who}: api desk-home warm", lambda c=client: c.get("/api/v1/desk-home/"))
    print(f"load average {os.getloadavg()}   reference loop {machine_speed_ms():.0f} ms")


if __name__ == "__main__":
    main()
