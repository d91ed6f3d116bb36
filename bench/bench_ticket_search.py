"""Ticket text search at scale: median / p95 server time and query count per kind of term.

Usage: DATABASE_URL=... python bench/bench_ticket_search.py   (after seed_demo and generate_data)

Runs every kind of term (DESIGN §9: a word in no ticket included) through the three places
that search tickets: the desk queue (`/desk/tickets/?q=`, a manager), the API
(`/api/v1/incidents/?q=`) and the portal's "my tickets" (a requester). Measured in-process
through Django's test client (view + rendering + SQL) by page_timing.measure, like
bench_queue.py.

generate_data writes twelve subjects only, so the first run plants what a rare term needs:
three tickets with a rare word in subject and description, requested by a person who has
no other ticket (marked by PLANTED_EMAIL; later runs find them and plant nothing).
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from page_timing import measure  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from tickets.choices import TicketKind  # noqa: E402
from tickets.models import Ticket  # noqa: E402

# e.g. BENCH_PLACES=desk,api (a checkout without the portal's search measures nothing there)
PLACES = os.environ.get("BENCH_PLACES", "desk,api,portal").split(",")
PLANTED_EMAIL = "quentin.okafor@example.com"
PLANTED = [
    (
        "BitLocker recovery key requested",
        "The laptop asks for a BitLocker key after a BIOS update.",
    ),
    ("BitLocker locks the laptop", "Recovery screen at every start since the docking station."),
    ("Encrypted drive asks for BitLocker PIN", "Started after the weekend patch run."),
]


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    _plant()
    total = Ticket.objects.count()
    middle = Ticket.objects.order_by("pk").values_list("number", flat=True)[total // 2]
    terms = [
        ("no match", "zqxjv"),
        ("rare word", "bitlocker"),
        ("common word", "printer"),
        ("whole number", middle),
        ("number fragment", middle[-6:-1]),
        ("requester name (many tickets)", "Rita Requester"),
        ("requester e-mail (3 tickets)", PLANTED_EMAIL),
        ("phrase", '"printer jam"'),
        ("misspelling of a common word", "pritner"),
        ("misspelling of a rare word", "bitlokcer"),
    ]
    agent = Client()
    agent.force_login(User.objects.get(email="manager@example.com"))
    requester = Client()
    requester.force_login(User.objects.get(email="requester@example.com"))
    print(f"tickets in database: {total:,}   load average {os.getloadavg()}")
    desk, portal = reverse("tickets:desk-ticket-queue"), reverse("tickets:portal-my-tickets")
    # (place, client, URL before the term, what each result row contains once)
    places = [
        ("desk", agent, desk + "?page_size=50&q=", f'data-href="{desk}INC'),
        ("api", agent, "/api/v1/incidents/?page_size=50&q=", '"number":'),
        ("portal", requester, portal + "?show=all&q=", f'<tr><td><a href="{portal}'),
    ]
    for place, client, prefix, row in places:
        if place not in PLACES:
            continue
        for label, term in terms:
            _measure(client, f"{place}: {label}", prefix + quote(term), row)
    print(f"load average {os.getloadavg()}")


def _plant() -> None:
    if User.objects.filter(email=PLANTED_EMAIL).exists():
        return
    person = User.objects.create_user(
        email=PLANTED_EMAIL, password=None, display_name="Quentin Okafor"
    )
    for subject, description in PLANTED:
        ticket = Ticket(
            kind=TicketKind.INCIDENT,
            requester=person,
            short_description=subject,
            description=description,
        )
        ticket.assign_number()
        ticket.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")


def _measure(client: Client, label: str, url: str, row: str) -> None:
    def rows(response) -> str:
        return f"rows {response.content.decode().count(row)}"

    measure(label, lambda: client.get(url), describe=rows)


if __name__ == "__main__":
    main()
