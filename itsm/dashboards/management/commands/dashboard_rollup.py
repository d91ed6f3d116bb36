"""`manage.py dashboard_rollup [--rebuild | --reconcile]`: bring the overview's rollup up to
date now (what the beat task does), compare every ticket (`--reconcile`), or throw it away
and build it again from every ticket (`--rebuild`: after a bulk load or a TIME_ZONE
change; the dashboards wait for it while it runs)."""

import time

from django.core.management.base import BaseCommand

from itsm.dashboards.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh


class Command(BaseCommand):
    help = "Refresh (or --rebuild) the rollup the dashboard overview reads."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="Start from empty.")
        group.add_argument("--reconcile", action="store_true", help="Compare every ticket.")

    def handle(self, *args, rebuild: bool, reconcile: bool, **options):
        start = time.perf_counter()
        if rebuild:
            result = dashboard_rollup_rebuild()
        else:
            result = dashboard_rollup_refresh(reconcile=True if reconcile else None)
        self.stdout.write(
            f"Dashboard rollup: {result.tickets} tickets changed, {result.days} days "
            f"rewritten in {time.perf_counter() - start:.1f} s ({result.steps})."
        )
