"""Re-triage through the API: PATCH takes every field the desk page edits (the same
`ticket_update`, version-checked), and a reply can set the status in the same request."""

import pytest

from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


def url(ticket, tail=""):
    return f"/api/v1/incidents/{ticket.number}/{tail}"


def test_patch_edits_requester_channel_and_watchers(api_as, agent, requester, other_requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).patch(
        url(ticket),
        {
            "version": 1,
            "requester": "omar@example.com",
            "channel": "email",
            "watchers": ["alice@example.com", "rita@example.com"],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["requester"], body["channel"], body["version"]) == (
        "omar@example.com",
        "email",
        2,
    )
    assert sorted(body["watchers"]) == ["alice@example.com", "rita@example.com"]
    assert Ticket.objects.get(pk=ticket.pk).requester == other_requester


def test_patch_edits_category_subcategory_service_and_ci(api_as, agent, requester):
    software = Category.objects.create(name="Software")
    email = Category.objects.create(name="Email", parent=software)
    mail = ServiceFactory(name="Mail")
    ConfigurationItemFactory(name="mx-01", service=mail)
    ticket = make_ticket(requester=requester)
    response = api_as(agent).patch(
        url(ticket),
        {
            "version": 1,
            "category": software.pk,
            "subcategory": email.pk,
            "service": "Mail",
            "ci": "mx-01",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["service"], response.json()["ci"]) == ("Mail", "mx-01")


def test_a_stale_patch_of_the_watchers_is_a_409_and_changes_nothing(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    client = api_as(agent)
    assert client.patch(url(ticket), {"version": 1, "urgency": 1}, format="json").status_code == 200
    response = client.patch(
        url(ticket), {"version": 1, "watchers": ["alice@example.com"]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert not Ticket.objects.get(pk=ticket.pk).watchers.exists()


def test_a_ci_of_another_service_is_a_400_on_the_ci(api_as, agent, requester):
    ServiceFactory(name="ERP")
    ConfigurationItemFactory(name="mx-01", service=ServiceFactory(name="Mail"))
    ticket = make_ticket(requester=requester)
    response = api_as(agent).patch(
        url(ticket), {"version": 1, "service": "ERP", "ci": "mx-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "ci"


def test_a_reply_can_hold_the_ticket_awaiting_the_requester(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).post(
        url(ticket, "comments/"),
        {"body": "Which version?", "set_status": "awaiting_requester", "version": 1},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["is_public"] is True
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.on_hold_reason) == ("on_hold", "awaiting_requester")


def test_a_reply_that_sets_the_status_needs_the_version(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).post(
        url(ticket, "comments/"), {"body": "Done.", "set_status": "resolved"}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()
    assert not Ticket.objects.get(pk=ticket.pk).comments.exists()


def test_a_work_note_cannot_set_the_status_through_the_api(api_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = api_as(agent).post(
        url(ticket, "comments/"),
        {"body": "x", "is_public": False, "set_status": "resolved", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "set_status" in response.json()


def test_the_schema_documents_the_new_inputs(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert {"requester", "channel", "watchers"} <= set(
        components["PatchedTicketUpdateRequest"]["properties"]
    )
    assert {"set_status", "resolution_code", "version"} <= set(
        components["CommentInputRequest"]["properties"]
    )
