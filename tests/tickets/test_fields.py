"""The ticket's field lists are declared once (tickets.fields); the form, the serializer and
the service all take exactly what the list says."""

import pytest

from itsm.core.fieldlists import declared_field_names
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.api.serializers import (
    SelfServiceCreateSerializer,
    TicketCreateSerializer,
    TicketUpdateSerializer,
)
from tickets.exceptions import InvalidTicketInput
from tickets.fields import REQUESTER_REPORT_FIELDS, TICKET_CREATE_FIELDS, TICKET_EDITABLE_FIELDS
from tickets.forms import PortalIncidentForm, TicketCreateForm
from tickets.models import Ticket


def test_the_api_edit_takes_the_editable_fields_and_the_version():
    assert declared_field_names(TicketUpdateSerializer) == {"version", *TICKET_EDITABLE_FIELDS}


def test_the_service_edits_by_the_same_list():
    assert services.EDITABLE_FIELDS is TICKET_EDITABLE_FIELDS


def test_the_service_refuses_a_field_off_the_list(requester, agent):
    ticket = make_ticket(requester=requester)
    assert "priority" not in TICKET_EDITABLE_FIELDS
    with pytest.raises(InvalidTicketInput, match="cannot be edited here: priority"):
        services.ticket_update(ticket=ticket, actor=agent, expected_version=1, priority=1)


def test_every_field_the_api_edit_validates_the_service_accepts(requester, agent):
    ticket = make_ticket(requester=requester)
    data = TicketUpdateSerializer(
        data={"version": 1, "short_description": "Printer jams", "urgency": 1}
    )
    assert data.is_valid(), data.errors
    values = dict(data.validated_data)
    version = values.pop("version")
    assert set(values) <= set(TICKET_EDITABLE_FIELDS)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=version, **values)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.short_description, ticket.urgency) == ("Printer jams", 1)


def test_the_desk_raises_tickets_with_the_same_fields_in_the_form_and_the_api():
    assert declared_field_names(TicketCreateSerializer) == set(TICKET_CREATE_FIELDS)
    # The form also asks for the kind; in the API it comes from the URL.
    assert declared_field_names(TicketCreateForm) == {"kind", "attachments", *TICKET_CREATE_FIELDS}


def test_a_requester_reports_with_the_same_fields_in_the_portal_and_the_api():
    assert declared_field_names(PortalIncidentForm) == set(REQUESTER_REPORT_FIELDS)
    assert declared_field_names(SelfServiceCreateSerializer) == set(REQUESTER_REPORT_FIELDS)
