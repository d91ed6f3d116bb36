"""The CMDB impact panels (issue #18): median / p95 server time and query count of the
ticket page's "outages upstream" and "what depends on it" panels, the whole panels fragment
they load in, the CI page (graph both ways) and a bare downstream walk from the CI with the
widest reach.

Usage (a copy of the 1M-ticket database, never itsm_b1m itself):
  createdb -U postgres -h 127.0.0.1 -T itsm_b1m itsm_b1m_cmdb
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_b1m_cmdb python manage.py migrate
  DATABASE_URL=... python manage.py generate_data --tickets 0 --cis 50000
  DATABASE_URL=... python bench/bench_cmdb_impact.py
Target: each panel ≤ 50 ms median.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from page_timing import RUNS, measure  # noqa: E402

from changes import impact  # noqa: E402
from itsm.accounts.models import User  # noqa: E402
from itsm.cmdb import graph  # noqa: E402
from itsm.cmdb.models import CiRelation, ConfigurationItem  # noqa: E402
from tickets.models import Ticket  # noqa: E402


def timed(label: str, call) -> None:
    call()
    timings, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            call()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label:<32} median {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries {queries}"
    )


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    agent = User.objects.get(email="agent@example.com")
    print(
        f"tickets {Ticket.objects.count():,}   CIs {ConfigurationItem.objects.count():,}   "
        f"relations {CiRelation.objects.count():,}   load average {os.getloadavg()}"
    )
    # An open incident on an application: the deepest upstream (app → server → cluster → infra).
    ticket = (
        Ticket.objects.filter(ci__name__startswith="app-", kind="incident", status="in_progress")
        .order_by("-id")
        .first()
    )
    infra = ConfigurationItem.objects.filter(name__startswith="infra-").order_by("id").first()
    print(f"ticket {ticket.number} on {ticket.ci}; widest reach from {infra}")
    timed(
        "panel: outages upstream",
        lambda: impact.upstream_panel_for_ticket(ticket=ticket, user=agent),
    )
    timed(
        "panel: what depends on it",
        lambda: impact.downstream_panel_for_ticket(ticket=ticket, user=agent),
    )
    reach = graph.downstream(start=[infra.pk])
    print(f"downstream of {infra}: {len(reach.cis)} CIs, {reach.service_count} services")
    timed("walk: downstream of infra", lambda: graph.downstream(start=[infra.pk]))
    desk = Client()
    desk.force_login(agent)
    measure(
        "desk: ticket panels (after)", lambda: desk.get(f"/desk/tickets/{ticket.number}/panels/")
    )
    measure("desk: CI page", lambda: desk.get(f"/desk/cmdb/cis/{ticket.ci_id}/"))
    measure("desk: CI page (infra)", lambda: desk.get(f"/desk/cmdb/cis/{infra.pk}/"))


if __name__ == "__main__":
    main()
