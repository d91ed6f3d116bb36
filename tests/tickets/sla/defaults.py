"""The default calendars and SLA policies come from data migrations; a transactional test
elsewhere in the run flushes them. This fixture puts them back (idempotently)."""

from importlib import import_module

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def sla_defaults(db):
    calendars = import_module("itsm.calendars.migrations.0002_default_calendars")
    policies = import_module("tickets.migrations.0005_sla")
    calendars.create_default_calendars(apps, None)
    policies.create_default_policies(apps, None)
