"""The desk and the API around an ongoing major incident: the panel drawn by the panels
endpoint, "link as affected" by htmx, the manager's instructions form, and a second
declaration that asks first (desk page) or is refused with 409 (API) unless forced."""

import pytest

from tests.factories.tickets import make_ticket
from tickets.major import services
from tickets.major.selectors import major_desk_banner
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_desk_banner_names_title_services_latest_update_and_link(major):
    (entry,) = major_desk_banner()
    assert entry["title"] == "Payroll is down" and entry["services"] == ["Payroll"]
    assert entry["latest_update"] == "Database failover in progress"
    assert entry["url"] == major.get_absolute_url()


def test_the_panels_endpoint_draws_the_major_panel_with_link_as_affected(
    client_as, agent, major, caller
):
    html = client_as(agent).get(f"/desk/tickets/{caller.number}/panels/").content.decode()
    assert 'id="major-panel"' in html and major.ticket.number in html
    assert f'data-link-major="{major.ticket.number}"' in html
    assert "Database failover in progress" in html


def test_link_as_affected_by_htmx_returns_the_panel_saying_linked(client_as, agent, major, caller):
    response = client_as(agent).post(
        f"/desk/major-incidents/{major.pk}/link/{caller.number}/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="major-panel-linked"' in html and "works at P1" in html
    caller.refresh_from_db()
    assert caller.parent_id == major.ticket_id and caller.priority == 1


def test_child_of_a_major_incident_on_the_link_form_is_linking_as_affected(
    client_as, agent, major, caller
):
    """The ticket page's generic "Child of" link reaches the same rules as "link as
    affected": the child takes the major incident's priority."""
    response = client_as(agent).post(
        f"/desk/tickets/{caller.number}/link/",
        {"relation": "parent", "number": major.ticket.number, "version": caller.version},
    )
    assert response.status_code in (200, 302)
    caller.refresh_from_db()
    assert caller.parent_id == major.ticket_id and caller.priority == 1
    assert caller.priority_override_reason == f"Affected by major incident {major.ticket.number}."


def test_a_refused_link_by_htmx_shows_the_message_in_the_panel(
    client_as, agent, manager, major, caller
):
    other = make_ticket(requester=manager, actor=manager, service=major.ticket.service)
    services.major_incident_link_affected(major=major, ticket=other, actor=agent)
    # A second major incident; linking `caller` to it while already a child of the first
    # is refused with a message in the panel.
    Ticket.objects.filter(pk=caller.pk).update(parent=other)
    response = client_as(agent).post(
        f"/desk/major-incidents/{major.pk}/link/{caller.number}/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "already linked to another parent" in response.content.decode()


def test_the_manager_saves_the_desks_instructions_on_the_major_page(client_as, manager, major):
    client = client_as(manager)
    page = client.get(major.get_absolute_url()).content.decode()
    assert 'id="major-desk-instructions-form"' in page
    response = client.post(
        f"/desk/major-incidents/{major.pk}/desk-instructions/",
        {
            "caller_script": "Payslips are late today.",
            "public_wording": "Payroll is delayed.",
            "next_update_due_at": "2030-01-01T12:00",
        },
    )
    assert response.status_code == 302
    major.refresh_from_db()
    assert major.caller_script == "Payslips are late today." and major.next_update_due_at
    bad = client.post(
        f"/desk/major-incidents/{major.pk}/desk-instructions/", {"next_update_due_at": "soon"}
    )
    assert bad.status_code == 400 and "Enter a valid date/time" in bad.content.decode()


def test_declaring_a_second_one_on_the_desk_asks_first_then_links_instead(
    client_as, manager, major, caller
):
    client = client_as(manager)
    form = {
        "version": caller.version,
        "reason": "Payslips fail",
        "manager": manager.pk,
        "communications_owner": manager.pk,
    }
    asked = client.post(f"/desk/major-incidents/declare/{caller.number}/", form)
    assert asked.status_code == 409
    html = asked.content.decode()
    assert f"{major.ticket.number} is already open for Payroll" in html
    assert 'id="declare-link-instead"' in html and 'id="declare-anyway"' in html
    caller.refresh_from_db()
    assert not caller.is_major
    linked = client.post(f"/desk/major-incidents/{major.pk}/link/{caller.number}/")
    assert linked.status_code == 302 and linked["Location"] == caller.get_absolute_url()
    caller.refresh_from_db()
    assert caller.parent_id == major.ticket_id


def test_declare_anyway_on_the_desk_declares_the_second(client_as, manager, major, caller):
    response = client_as(manager).post(
        f"/desk/major-incidents/declare/{caller.number}/",
        {
            "version": caller.version,
            "reason": "A separate outage",
            "manager": manager.pk,
            "communications_owner": manager.pk,
            "force": "on",
        },
    )
    assert response.status_code == 302
    caller.refresh_from_db()
    assert caller.is_major


def _api_declare(client, ticket, manager, **extra):
    return client.post(
        f"/api/v1/incidents/{ticket.number}/declare-major/",
        {"reason": "Payslips", "manager": manager.email, "communications_owner": manager.email}
        | extra,
        format="json",
    )


def test_the_api_refuses_a_second_declaration_with_409_unless_forced(
    api_as, manager, major, caller
):
    client = api_as(manager)
    refused = _api_declare(client, caller, manager)
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "major_incident_already_open" and body["field"] == "force"
    assert body["existing"] == major.ticket.number and "link this ticket" in body["detail"]
    forced = _api_declare(client, caller, manager, force=True)
    assert forced.status_code == 201, forced.json()


def test_the_api_links_a_ticket_as_affected_and_sets_instructions(
    api_as, agent, manager, requester, major, caller
):
    response = api_as(agent).post(
        f"/api/v1/major-incidents/{major.ticket.number}/link/",
        {"incident": caller.number},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "incident": caller.number,
        "parent": major.ticket.number,
        "priority": 1,
    }
    assert (
        api_as(agent)
        .post(f"/api/v1/major-incidents/{major.ticket.number}/link/", {}, format="json")
        .status_code
        == 400
    )
    set_by = api_as(manager).post(
        f"/api/v1/major-incidents/{major.ticket.number}/desk-instructions/",
        {"caller_script": "Late payslips", "public_wording": "", "next_update_due_at": None},
        format="json",
    )
    assert set_by.status_code == 200 and set_by.json()["caller_script"] == "Late payslips"
    denied = api_as(requester).post(
        f"/api/v1/major-incidents/{major.ticket.number}/desk-instructions/",
        {"caller_script": "x"},
        format="json",
    )
    assert denied.status_code == 403
