"""Load a realistic demo organisation. Safe to run again: existing records are kept.

It lives in the dashboards app because it composes every process app, and only the top floor
(portal, dashboards) may import them all (docs/architecture.md).
"""

from collections.abc import Callable
from typing import TextIO

from django.core.management.base import BaseCommand
from django.db import transaction

from changes import demo as changes_demo
from itsm.accounts import demo as accounts_demo
from itsm.calendars import demo as calendars_demo
from itsm.cmdb import demo as cmdb_demo
from itsm.dashboards import demo as dashboards_demo
from itsm.dashboards.rollup import dashboard_rollup_rebuild
from knowledge import demo as knowledge_demo
from problems import demo as problems_demo
from releases import demo as releases_demo
from tickets.catalog import demo as catalog_demo

# In the order of the dependencies between apps (people before services before tickets …).
SEEDS: list[Callable[[TextIO], None]] = [
    accounts_demo.seed,
    calendars_demo.seed,
    cmdb_demo.seed,
    catalog_demo.seed,
    knowledge_demo.seed,
    problems_demo.seed,
    dashboards_demo.seed,
    changes_demo.seed,
    releases_demo.seed,
]


class Command(BaseCommand):
    help = "Load the demo organisation: teams, users in every role, services, CIs and records."

    def handle(self, *args, **options):
        for seed in SEEDS:
            with transaction.atomic():
                seed(self.stdout)
        dashboard_rollup_rebuild()  # so the demo overview has figures
        accounts_demo.print_logins(self.stdout)
