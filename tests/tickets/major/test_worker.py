"""A real Celery worker delivers a major-incident webhook to a loopback receiver, signed."""

import hmac
import time
from hashlib import sha256

import pytest
from django.db import transaction

from itsm.notifications.models import WebhookSubscription
from tests.factories.cmdb import ServiceFactory
from tests.factories.tickets import make_ticket
from tests.tickets.webhook_receiver import webhook_receiver
from tickets.major.services import major_incident_declare

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_delivers_the_declaration_webhook_with_a_valid_signature(
    celery_worker, requester, agent, manager
):
    service = ServiceFactory(name="Payroll", criticality="critical")
    ticket = make_ticket(requester=requester, actor=agent, service=service, impact=1, urgency=1)
    with webhook_receiver() as (url, received):
        hook = WebhookSubscription.objects.create(name="Chat", url=f"{url}/hook", service=service)
        with transaction.atomic():
            major_incident_declare(
                ticket=ticket,
                actor=manager,
                reason="Payroll is down for everyone",
                manager=manager,
                communications_owner=agent,
            )
        deadline = time.monotonic() + 20
        while not received and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)  # a duplicate would arrive now

    assert len(received) == 1
    delivery = received[0]
    expected = "sha256=" + hmac.new(hook.secret.encode(), delivery["body"], sha256).hexdigest()
    assert delivery["headers"]["x-itsm-signature"] == expected
    assert delivery["headers"]["x-itsm-event"] == "major_incident_declared"
    assert ticket.number in delivery["json"]["text"]
