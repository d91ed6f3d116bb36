import io

import pytest

from itsm.accounts import demo as accounts_demo
from itsm.calendars import demo as calendars_demo
from itsm.cmdb import demo as cmdb_demo
from tickets.catalog import demo
from tickets.models import FulfilmentTaskTemplate, Ticket

pytestmark = pytest.mark.django_db


def test_every_demo_fulfilment_task_goes_to_a_team_with_members():
    for module in (accounts_demo, calendars_demo, cmdb_demo, demo, demo):
        module.seed(io.StringIO())
    templates = FulfilmentTaskTemplate.objects.select_related("team")
    assert {t.team.name for t in templates} >= {"Workplace", "Service Desk"}
    empty = [t.title for t in templates if not t.team.members.filter(is_active=True).exists()]
    assert empty == []
    laptop = Ticket.objects.get(catalog_item__slug="new-laptop")
    assert laptop.catalog_item.fields.get(name="needed_by").min_business_days == 5
