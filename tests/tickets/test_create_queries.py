"""Raising a ticket costs a fixed, small number of queries (the hot-paths issue: half of the
23 it took): the lists a create consults (the priority matrix, the SLA policies with their
calendars, who subscribed to webhooks) come from the cache, and nothing already checked is
read again. A change to one of those lists applies to the very next create."""

import pytest

from itsm.calendars.models import BusinessCalendar
from itsm.notifications.models import Notification, WebhookSubscription
from tests.factories.cmdb import ServiceFactory
from tickets.models import PriorityRule, SlaPolicy, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_api(api_as, agent):
    """The agent's API client, its first create having filled the caches. The policy is the
    test's own: another test may have emptied the tables the data migrations fill."""
    calendar = BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)
    SlaPolicy.objects.create(
        name="Every incident", order=1, kind="incident", first_response_minutes=60,
        resolution_minutes=480, calendar=calendar,
    )  # fmt: skip
    client = api_as(agent)
    warm = {"short_description": "Warm-up", "requester": agent.email}
    assert client.post("/api/v1/incidents/", warm, format="json").status_code == 201
    return client


def _create(client, **fields) -> Ticket:
    response = client.post("/api/v1/incidents/", fields, format="json")
    assert response.status_code == 201, response.content
    return Ticket.objects.get(number=response.json()["number"])


def test_an_api_create_runs_a_fixed_small_number_of_queries(
    desk_api, requester, django_assert_max_num_queries
):
    payload = {
        "short_description": "Printer on floor 3 jams",
        "requester": requester.email,
        "channel": "phone",
        "impact": 2,
        "urgency": 2,
    }
    # The agent's permissions (2), the requester by e-mail, then BEGIN, the number, the
    # ticket (its SLA due instant with it), its audit event, the acknowledgement, the SLA
    # clocks, COMMIT.
    with django_assert_max_num_queries(9):
        response = desk_api.post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["watchers"] == []
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.requester, ticket.channel, ticket.watchers.count()) == (requester, "phone", 0)
    clocks = list(ticket.sla_clocks.all())
    assert len(clocks) == 2
    assert ticket.sla_due_at == min(clock.due_at for clock in clocks)
    assert Notification.objects.filter(record_label=ticket.number, recipient=requester).exists()


def test_a_changed_priority_rule_or_sla_policy_applies_to_the_next_create(desk_api, requester):
    PriorityRule.objects.update_or_create(impact=2, urgency=2, defaults={"priority": 1})
    assert (
        _create(
            desk_api, short_description="VPN", requester=requester.email, impact=2, urgency=2
        ).priority
        == 1
    )
    # A queryset update sends no signal; the admin's save of a policy does, and drops them.
    SlaPolicy.objects.update(is_active=False)
    SlaPolicy.objects.first().save()
    ticket = _create(desk_api, short_description="Mail", requester=requester.email)
    assert ticket.sla_clocks.count() == 0


def test_a_new_webhook_subscription_gets_the_next_create_on_its_service(desk_api, requester):
    erp = ServiceFactory(name="ERP")
    WebhookSubscription.objects.create(name="chat", url="https://chat.example.com/h", service=erp)
    on_erp = _create(
        desk_api, short_description="ERP slow", requester=requester.email, service=erp.name
    )
    _create(desk_api, short_description="Mouse squeaks", requester=requester.email)
    hooks = Notification.objects.filter(channel="webhook")
    assert list(hooks.values_list("record_label", flat=True).distinct()) == [on_erp.number]
