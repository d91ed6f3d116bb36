"""The ticket page's two suggestion panels at scale (issue #18): median / p95 server time and
query count of "suggested articles" and "similar tickets". Target: each ≤ 50 ms median at 1M.

Usage: DATABASE_URL=... python bench/bench_suggest.py   (after seed_demo and generate_data)

Read-only: the session is set `default_transaction_read_only`, and the panels' views are
called through RequestFactory with the manager as the user (the test client's login would
write a session row), so it may run against the shared benchmark database. Measured
in-process: view + template + SQL, without the middleware (a few tenths of a ms).

Tickets measured: an open and a resolved one (generate_data writes twelve subjects, so
their words are each in ~80k tickets: the common-word case), and one held in memory whose
words are in no ticket (DESIGN §9: a search that finds nothing must cost what a hit does).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from page_timing import measure  # noqa: E402

from itsm.accounts.models import User  # noqa: E402
from tickets import selectors  # noqa: E402
from tickets.choices import OPEN_STATUSES  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from tickets.views import desk  # noqa: E402


def _ok(result: object) -> HttpResponse:
    return HttpResponse(str(len(result)))  # type: ignore[arg-type]


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION default_transaction_read_only = on")
    manager = User.objects.get(email="manager@example.com")
    total = Ticket.objects.count()
    print(f"tickets in database: {total:,}   load average {os.getloadavg()}")
    open_ticket = Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("-created_at")[500]
    resolved = Ticket.objects.filter(status="closed").order_by("-resolved_at")[500]
    factory = RequestFactory()

    def get(view, number: str):
        def call():
            request = factory.get("/")
            request.user = manager
            return view(request, number)

        return call

    for label, ticket in (("open", open_ticket), ("resolved", resolved)):
        print(f"{label} ticket {ticket.number}: {ticket.short_description!r}")
        measure(
            f"  suggested articles ({label})", get(desk.ticket_suggested_articles, ticket.number)
        )
        measure(f"  similar tickets ({label})", get(desk.ticket_similar, ticket.number))
    nothing = Ticket(
        pk=0, number="INC0000000", short_description="Zqxjv flurbed wombleteg", description=""
    )
    print("a ticket whose words are in no ticket and no article (selectors only):")
    measure(
        "  suggested articles (no match)",
        lambda: _ok(selectors.article_list_suggested_for_ticket(ticket=nothing, user=manager)),
    )
    measure(
        "  similar tickets (no match)",
        lambda: _ok(selectors.ticket_list_similar(ticket=nothing, user=manager)),
    )


if __name__ == "__main__":
    main()
