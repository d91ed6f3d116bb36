"""The ticket page (desk and portal), the API retrieve, and creates: median / p95 server
time and query count.

Usage: DATABASE_URL=... python bench/bench_ticket_page.py   (after seed_demo and generate_data)
In-process through Django's test client (view + template + SQL), not the network, like
bench_queue.py; "python cpu" is this process's CPU time alone (the database's work not
counted), which stays comparable when other work shares the machine. The ticket read is the
newest one with a CI, an agent and a team set, so every panel has something to draw. Creates
write real tickets, commit included (its on-commit work too), so each run adds about 60
tickets to the database, all requested by CREATES_FOR.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from page_timing import machine_speed_ms, measure  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from itsm.accounts.services import requester_ensure  # noqa: E402
from tickets.models import Ticket  # noqa: E402

CREATES_FOR = "bench.creates@example.com"


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    agent = User.objects.get(email="agent@example.com")
    ticket = (
        Ticket.objects.filter(ci__isnull=False, assignee__isnull=False, kind="incident")
        .order_by("-id")
        .select_related("requester")
        .first()
    ) or Ticket.objects.filter(kind="incident").order_by("-id").select_related("requester").first()
    desk, portal, reporter = Client(), Client(), Client()
    desk.force_login(agent)
    portal.force_login(ticket.requester)
    # The creates go to a person of their own: filed for the demo requester, they would become
    # the newest of her tickets, which bench_ticket_search's portal figures search.
    creator = requester_ensure(email=CREATES_FOR, display_name="Bench Creates")
    reporter.force_login(creator)
    print(f"tickets in database: {Ticket.objects.count():,}   load average {os.getloadavg()}")
    print(f"machine speed: reference loop {machine_speed_ms():.0f} ms (page_timing.py)")
    print(f"ticket read: {ticket.number}")
    measure("desk: ticket page", lambda: desk.get(f"/desk/tickets/{ticket.number}/"))
    # Fetched by the page once it is shown: known errors, problems, changes near the ticket.
    measure(
        "desk: ticket panels (after)", lambda: desk.get(f"/desk/tickets/{ticket.number}/panels/")
    )
    measure("portal: ticket page", lambda: portal.get(f"/portal/tickets/{ticket.number}/"))
    measure("api: incident retrieve", lambda: desk.get(f"/api/v1/incidents/{ticket.number}/"))
    payload = {
        "short_description": "Bench: badge reader at door 4 beeps",
        "requester": creator.email,
        "channel": "phone",
        "impact": 2,
        "urgency": 2,
    }
    measure(
        "api: incident create",
        lambda: desk.post("/api/v1/incidents/", payload, content_type="application/json"),
        expect=201,
    )
    measure(
        "portal: report an incident",
        lambda: reporter.post(
            "/portal/tickets/report/",
            {"short_description": "Bench: VPN drops", "description": "", "urgency": 2},
        ),
        expect=302,
    )
    print(f"load average {os.getloadavg()}   reference loop {machine_speed_ms():.0f} ms")


if __name__ == "__main__":
    main()
