"""Every list endpoint of the API runs the same number of queries for a small and a large
page, on the demo data set (every process filled, relations set as a real desk has them):
no serializer field reads a relation row by row. (Tasks, approvals, major incidents, problems
and releases have too few demo rows to fill two pages; their own API tests pin their lists.)"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itsm.accounts.models import User

LIST_ENDPOINTS = (
    "/api/v1/incidents/",
    "/api/v1/requests/",
    "/api/v1/catalog-items/",
    "/api/v1/changes/",
    "/api/v1/articles/",
    "/api/v1/services/",
    "/api/v1/cis/",
    "/api/v1/teams/",
    "/api/v1/users/",
)
# Pages of 10 and 40 rows where the demo data has them (the first two tickets of a list can
# happen to have no CI or watcher, which skips a prefetch and is no growth), else of 2 and all.
SMALL, LARGE = 10, 40
MOST = 12  # queries of any list page, authentication included


@pytest.mark.django_db
def test_every_list_costs_the_same_for_a_small_and_a_large_page(api_as):
    # One seeding for every endpoint (it takes seconds), inside the test's transaction.
    call_command("seed_demo", verbosity=0)
    client = api_as(User.objects.get(email="admin@example.com"))
    problems = []
    for path in LIST_ENDPOINTS:
        counts, rows = [], []
        small = SMALL if client.get(path, {"page_size": LARGE}).json()["results"][SMALL:] else 2
        for size in (small, LARGE):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, {"page_size": size})
            assert response.status_code == 200, (path, response.content[:200])
            rows.append(len(response.json()["results"]))
            counts.append(len(queries.captured_queries))
        if rows[0] != small or rows[1] <= small:
            problems.append(f"{path}: the demo data fills no page ({rows})")
        elif counts[0] != counts[1] or counts[1] > MOST:
            problems.append(
                f"{path}: {counts[0]} queries for {small} rows, {counts[1]} for {rows[1]}"
            )
    assert problems == [], "\n".join(problems)
