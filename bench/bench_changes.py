"""Change calendar month view and conflict detection with 50k changes: median / p95 ms.

Usage: DATABASE_URL=... python bench/bench_changes.py   (after seed_demo)
Inserts 50,000 changes (once; marked "[bench]") spread over five years, 1–6 hours long,
each on one of the demo services and a third on a CI too, then measures in-process:
- the month view of the change calendar through Django's test client (view, SQL, template);
- `change_conflicts()` for a change in the middle of the range (overlaps on shared
  services/CIs plus blackout windows).
Target: ≤ 100 ms median for both.
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from changes import selectors  # noqa: E402
from changes.models import ChangeRequest  # noqa: E402
from itsm.accounts.models import User  # noqa: E402
from itsm.cmdb.models import ConfigurationItem, Service  # noqa: E402

TOTAL = int(os.environ.get("BENCH_CHANGES", "50000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_HOURS = 5 * 365 * 24
STATUSES = ["scheduled"] * 5 + ["closed"] * 4 + ["cab", "assessment", "draft", "cancelled"]


@transaction.atomic
def generate(missing: int) -> None:
    rng = random.Random(7)
    service_ids = list(Service.objects.values_list("id", flat=True))
    ci_ids = list(ConfigurationItem.objects.values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval('changes_changerequest_number_seq', "
            "GREATEST(nextval('changes_changerequest_number_seq'), 9000000) + %s)",
            [missing],
        )
        (last,) = cursor.fetchone()
    batch = []
    for i in range(missing):
        start = START + timedelta(hours=rng.randrange(SPAN_HOURS))
        batch.append(
            ChangeRequest(
                number=f"CHG{last - missing + i + 1:07d}",
                title=f"[bench] change {i}",
                status=rng.choice(STATUSES),
                planned_start=start,
                planned_end=start + timedelta(hours=rng.randint(1, 6)),
                risk_assessed_level=rng.choice(["low", "medium", "high"]),
            )
        )
    created = ChangeRequest.objects.bulk_create(batch, batch_size=5000)
    ServiceLink = ChangeRequest.services.through
    CiLink = ChangeRequest.cis.through
    ServiceLink.objects.bulk_create(
        [ServiceLink(changerequest_id=c.pk, service_id=rng.choice(service_ids)) for c in created],
        batch_size=5000,
    )
    if ci_ids:
        CiLink.objects.bulk_create(
            [
                CiLink(changerequest_id=c.pk, configurationitem_id=rng.choice(ci_ids))
                for c in created
                if rng.random() < 0.33
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE changes_changerequest")


def measure(function) -> tuple[float, float, int]:
    function()  # warm up
    timings, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            function()
            timings.append((time.perf_counter() - began) * 1000)
        queries = len(ctx.captured_queries)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    existing = ChangeRequest.objects.filter(title__startswith="[bench]").count()
    if existing < TOTAL:
        began = time.perf_counter()
        generate(TOTAL - existing)
        print(f"generated {TOTAL - existing:,} changes in {time.perf_counter() - began:.1f} s")
    print(f"changes in database: {ChangeRequest.objects.count():,}")

    client = Client()
    client.force_login(User.objects.get(email="change.manager@example.com"))
    month_url = "/desk/changes/calendar/?view=month&date=2027-06-15"
    shown = client.get(month_url).content.count(b'class="chip')

    def month_view():
        response = client.get(month_url)
        assert response.status_code == 200

    median, p95, queries = measure(month_view)
    print(
        f"calendar month view (June 2027, {shown} change-days shown): median {median:.1f} ms, "
        f"p95 {p95:.1f} ms, {queries} queries"
    )
    service = Service.objects.order_by("id").first()
    median, p95, queries = measure(lambda: client.get(f"{month_url}&service={service.pk}"))
    print(f"calendar month view filtered by service: median {median:.1f} ms, p95 {p95:.1f} ms")

    # A change that does conflict, so the measurement includes building the overlap list.
    candidates = ChangeRequest.objects.filter(
        title__startswith="[bench]", planned_start__year=2027, cis__isnull=False
    ).prefetch_related("services", "cis")[:200]
    subject, found = None, None
    for candidate in candidates:
        subject, found = candidate, selectors.change_conflicts(change=candidate)
        if found.overlaps:
            break

    def conflicts():
        selectors.change_conflicts(change=subject)

    median, p95, queries = measure(conflicts)
    print(
        f"conflict detection for {subject.number} ({len(found.overlaps)} overlaps, "
        f"{len(found.blackouts)} blackouts): median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"{queries} queries"
    )


if __name__ == "__main__":
    main()
