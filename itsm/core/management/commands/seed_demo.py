"""Load a realistic demo organisation. Safe to run again: existing records are kept."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo data provides `<module>.seed(stdout) -> None`; order follows the
# dependencies between apps (people before services before tickets …).
DEMO_MODULES = [
    "itsm.accounts.demo",
    "itsm.calendars.demo",
    "itsm.cmdb.demo",
    "tickets.catalog.demo",
    "knowledge.demo",
    "problems.demo",
    "itsm.dashboards.demo",
    "changes.demo",
    "releases.demo",
]


class Command(BaseCommand):
    help = "Load the demo organisation: teams, users in every role, services, CIs and records."

    def handle(self, *args, **options):
        for module_name in DEMO_MODULES:
            with transaction.atomic():
                import_module(module_name).seed(self.stdout)
        import_module("itsm.dashboards.rollup").dashboard_rollup_rebuild()  # overview figures
        from itsm.accounts.demo import print_logins

        print_logins(self.stdout)
