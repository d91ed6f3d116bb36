"""Canned responses: placeholders checked on save and filled per ticket; who may write each
scope (personal: its owner; team: its lead or a manager; global: a manager or an
administrator), checked in the service; desk pages and the API."""

import pytest
from django.urls import reverse

from itsm.audit.models import AuditEvent
from itsm.cmdb.models import Service
from itsm.core.exceptions import PermissionRefused
from tests.factories.tickets import make_ticket
from tickets.canned import selectors, services
from tickets.canned.models import CannedResponse
from tickets.exceptions import InvalidTicketInput

pytestmark = pytest.mark.django_db

BODY = (
    "Hello {{ requester_first_name }}, {{ ticket_number }} on {{service}} is fixed. "
    "See {{ portal_link }}. — {{ agent_name }}"
)


def _create(actor, scope="personal", team=None, body=BODY, title="VPN fixed"):
    return services.canned_response_create(
        actor=actor, title=title, body=body, scope=scope, team=team
    )


def test_placeholders_are_filled_for_the_ticket_and_the_agent(agent, requester, settings):
    ticket = make_ticket(requester=requester, service=Service.objects.create(name="VPN"))
    response = _create(agent)
    text = services.canned_response_fill(response=response, ticket=ticket, agent=agent)
    assert text == (
        f"Hello Rita, {ticket.number} on VPN is fixed. "
        f"See {settings.SITE_URL}/portal/tickets/{ticket.number}/. — {agent}"
    )


def test_unknown_placeholders_are_refused_naming_them(agent):
    with pytest.raises(InvalidTicketInput) as refused:
        _create(agent, body="Hi {{ requester_name }}, {{ caller }} {{ ticket.number }} {{caller}}")
    assert refused.value.field == "body"
    assert refused.value.message.startswith(
        "Unknown placeholders: {{ caller }}, {{ ticket.number }}."
    )
    assert not CannedResponse.objects.exists()


def test_template_syntax_stays_text_when_filled(agent, requester):
    ticket = make_ticket(requester=requester)
    response = _create(agent, body="{% load x %} {{ agent_name }}")
    assert services.canned_response_fill(response=response, ticket=ticket, agent=agent) == (
        f"{{% load x %}} {agent}"
    )


def test_any_agent_writes_personal_responses_and_only_the_owner_changes_them(
    agent, agent_other_team
):
    response = _create(agent)
    assert AuditEvent.objects.filter(action="canned_response_created").count() == 1
    with pytest.raises(PermissionRefused):
        services.canned_response_update(
            response=response, actor=agent_other_team, title="x", body="y", scope="personal"
        )
    with pytest.raises(PermissionRefused):
        services.canned_response_delete(response=response, actor=agent_other_team)


def test_team_responses_are_for_the_lead_and_managers(agent, manager, service_desk_team):
    with pytest.raises(PermissionRefused, match="team's lead"):
        _create(agent, scope="team", team=service_desk_team)
    service_desk_team.lead = agent
    service_desk_team.save()
    assert _create(agent, scope="team", team=service_desk_team).team == service_desk_team
    assert _create(manager, scope="team", team=service_desk_team, title="Mgr").scope == "team"


def test_global_responses_are_for_managers_and_administrators(agent, manager, admin_user):
    with pytest.raises(PermissionRefused, match="service desk manager"):
        _create(agent, scope="global")
    _create(manager, scope="global")
    _create(admin_user, scope="global", title="Admin's")
    assert CannedResponse.objects.filter(scope="global").count() == 2


def test_requesters_write_no_canned_responses(requester):
    with pytest.raises(PermissionRefused):
        _create(requester)


def test_an_agent_sees_global_their_teams_and_their_own(
    agent, agent_other_team, manager, service_desk_team, other_team
):
    _create(manager, scope="global", title="Global")
    _create(manager, scope="team", team=service_desk_team, title="Desk team")
    _create(manager, scope="team", team=other_team, title="Other team")
    _create(agent, title="Mine")
    _create(agent_other_team, title="Theirs")
    titles = [r.title for r in selectors.canned_response_list_for_user(user=agent)]
    assert titles == ["Desk team", "Global", "Mine"]
    assert [r.title for r in selectors.canned_response_list_for_user(user=agent, text="mi")] == [
        "Mine"
    ]


def test_moving_a_response_to_global_needs_the_global_right(agent):
    response = _create(agent)
    with pytest.raises(PermissionRefused):
        services.canned_response_update(
            response=response, actor=agent, title="x", body="y", scope="global"
        )
    response.refresh_from_db()
    assert response.scope == "personal"


def test_an_edit_is_audited_with_its_changes(agent):
    response = _create(agent)
    services.canned_response_update(
        response=response, actor=agent, title="VPN restored", body=BODY, scope="personal"
    )
    event = AuditEvent.objects.get(action="canned_response_changed")
    assert event.changes["title"] == {"from": "VPN fixed", "to": "VPN restored"}


# --- Desk pages ---


def test_the_desk_form_shows_the_unknown_placeholder_next_to_the_body(agent, client_as):
    response = client_as(agent).post(
        reverse("canned:desk-canned-create"),
        {"title": "Hi", "body": "Hi {{ caller_name }}", "scope": "personal"},
    )
    assert response.status_code == 400
    assert "Unknown placeholder: {{ caller_name }}." in response.content.decode()


def test_the_desk_list_creates_edits_and_deletes(agent, client_as):
    client = client_as(agent)
    empty = client.get(reverse("canned:desk-canned-list"))
    assert "No canned responses yet" in empty.content.decode()
    created = client.post(
        reverse("canned:desk-canned-create"),
        {"title": "Reset", "body": "Hi {{ requester_name }}", "scope": "personal"},
    )
    assert created.status_code == 302
    response = CannedResponse.objects.get()
    edited = client.post(
        reverse("canned:desk-canned-edit", args=[response.pk]),
        {"title": "Reset done", "body": "Hi {{ requester_name }}", "scope": "personal"},
    )
    assert edited.status_code == 302
    listed = client.get(reverse("canned:desk-canned-list")).content.decode()
    assert "Reset done" in listed
    client.post(reverse("canned:desk-canned-delete", args=[response.pk]))
    assert not CannedResponse.objects.exists()


def test_someone_elses_personal_response_is_404_in_the_desk(agent, agent_other_team, client_as):
    response = _create(agent_other_team)
    page = client_as(agent).get(reverse("canned:desk-canned-edit", args=[response.pk]))
    assert page.status_code == 404


def test_requesters_get_403_for_the_desk_pages(requester, client_as):
    assert client_as(requester).get(reverse("canned:desk-canned-list")).status_code == 403


def test_typeahead_and_fill_for_a_ticket(agent, requester, client_as):
    ticket = make_ticket(requester=requester)
    response = _create(agent, body="Dear {{ requester_name }}")
    client = client_as(agent)
    found = client.get(reverse("tickets:desk-ticket-canned", args=[ticket.number]), {"q": "vpn"})
    (result,) = found.json()["results"]
    assert result["title"] == "VPN fixed"
    filled = client.get(result["url"]).json()
    assert filled["body"] == "Dear Rita Requester"
    assert response.pk == result["id"]


def test_typeahead_query_count_does_not_grow_with_responses(
    agent, requester, client_as, django_assert_max_num_queries
):
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    url = reverse("tickets:desk-ticket-canned", args=[ticket.number])
    client.get(url)
    for i in range(6):
        _create(agent, title=f"R{i}")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(6, 12):
        _create(agent, title=f"R{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- API ---


def test_api_creates_lists_fills_and_refuses_unknown_placeholders(api_as, agent, requester):
    client = api_as(agent)
    bad = client.post(
        "/api/v1/canned-responses/",
        {"title": "x", "body": "{{ nope }}", "scope": "personal"},
        format="json",
    )
    assert bad.status_code == 400
    assert "{{ nope }}" in str(bad.json())
    created = client.post(
        "/api/v1/canned-responses/",
        {"title": "Hi", "body": "Hi {{ requester_name }}", "scope": "personal"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert [r["id"] for r in client.get("/api/v1/canned-responses/").json()["results"]] == [pk]
    ticket = make_ticket(requester=requester)
    filled = client.get(f"/api/v1/canned-responses/{pk}/filled/", {"ticket": ticket.number})
    assert filled.json()["body"] == "Hi Rita Requester"
    assert client.delete(f"/api/v1/canned-responses/{pk}/").status_code == 204


def test_api_refuses_a_global_response_to_an_agent(api_as, agent):
    response = api_as(agent).post(
        "/api/v1/canned-responses/",
        {"title": "x", "body": "y", "scope": "global"},
        format="json",
    )
    assert response.status_code == 403


def test_api_is_for_the_desk_only(api_as, requester):
    assert api_as(requester).get("/api/v1/canned-responses/").status_code == 403
