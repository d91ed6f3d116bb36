"""The desk ticket page's inline edits (tickets.views.triage): editors drawn on demand, saved
through ticket_update with htmx, refusals next to the control, a stale edit keeping what was
typed; the agent list that follows the team; "Reply and set"; the page's query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from tests.changes.factories import change_manager, make_change, move
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def edit_url(ticket, part):
    return f"/desk/tickets/{ticket.number}/edit/{part}/"


def form_of(html, form_id):
    return html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]


def text(html):
    return " ".join(strip_tags(html).split())


def test_the_editor_of_a_part_is_drawn_with_the_current_value_and_version(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester, short_description="VPN drops")
    response = client_as(agent).get(edit_url(ticket, "short_description"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="edit-short_description-form"' in html
    assert 'value="VPN drops"' in html
    assert 'name="version" value="1"' in html
    assert "components/_refusal_slot" not in html and 'class="refusal"' in html


def test_an_unknown_part_is_not_found(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    assert client_as(agent).get(edit_url(ticket, "priority")).status_code == 404


def test_a_requester_cannot_open_the_desk_editor(client_as, requester):
    ticket = make_ticket(requester=requester)
    assert client_as(requester).get(edit_url(ticket, "description")).status_code in (302, 403, 404)


def test_saving_an_edit_through_htmx_returns_the_ticket_column_with_the_change(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        edit_url(ticket, "short_description"),
        {"version": 1, "short_description": "VPN drops every hour"},
        headers={**HTMX, "HX-Trigger": "edit-short_description-form"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "ticket-grid" in html
    assert "VPN drops every hour" in html
    # The timeline shows the edit from → to.
    assert "Short description: Cannot connect to the VPN → VPN drops every hour" in text(html)
    assert Ticket.objects.get(pk=ticket.pk).short_description == "VPN drops every hour"


def test_the_subcategory_list_follows_the_category(client_as, agent, requester):
    hardware = Category.objects.create(name="Hardware")
    laptop = Category.objects.create(name="Laptop", parent=hardware)
    software = Category.objects.create(name="Software")
    email = Category.objects.create(name="Email", parent=software)
    ticket = make_ticket(requester=requester, category=hardware)
    client = client_as(agent)
    first = client.get(edit_url(ticket, "category"), headers=HTMX).content.decode()
    assert "Laptop" in first and "Email" not in first
    again = client.get(
        edit_url(ticket, "category"), {"category": software.pk, "version": 1}, headers=HTMX
    ).content.decode()
    subcategories = again.split('name="subcategory"', 1)[1].split("</select>", 1)[0]
    assert f'value="{email.pk}"' in subcategories and f'value="{laptop.pk}"' not in subcategories
    assert f'<option value="{software.pk}" selected>' in again


def test_the_ci_list_follows_the_service(client_as, agent, requester):
    erp, mail = ServiceFactory(name="ERP"), ServiceFactory(name="Mail")
    ConfigurationItemFactory(name="erp-db-01", service=erp)
    ConfigurationItemFactory(name="mx-01", service=mail)
    ticket = make_ticket(requester=requester)
    html = (
        client_as(agent)
        .get(edit_url(ticket, "service"), {"service": mail.pk}, headers=HTMX)
        .content.decode()
    )
    cis = html.split('name="ci"', 1)[1].split("</select>", 1)[0]
    assert "mx-01" in cis and "erp-db-01" not in cis


def test_a_refused_edit_answers_with_the_editor_and_the_message_next_to_the_control(
    client_as, agent, requester
):
    hardware = Category.objects.create(name="Hardware")
    software = Category.objects.create(name="Software")
    email = Category.objects.create(name="Email", parent=software)
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        edit_url(ticket, "category"),
        {"version": 1, "category": hardware.pk, "subcategory": email.pk},
        headers={**HTMX, "HX-Trigger": "edit-category-form"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#field-category .field-editor"
    assert "ticket-grid" not in html
    after_subcategory = html.split('name="subcategory"', 1)[1]
    assert (
        "The subcategory does not belong to the chosen category."
        in after_subcategory.split("<label", 1)[0]
    )
    assert Ticket.objects.get(pk=ticket.pk).category is None


def test_an_emptied_short_description_is_refused_in_the_services_words(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        edit_url(ticket, "short_description"),
        {"version": 1, "short_description": "   "},
        headers={**HTMX, "HX-Trigger": "edit-short_description-form"},
    )
    assert response.status_code == 400
    assert "Describe the problem in a few words." in response.content.decode()


def test_a_stale_edit_shows_what_changed_and_keeps_the_typed_value_with_the_new_version(
    client_as, agent, requester, manager
):
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=manager, expected_version=1, impact=1)
    client = client_as(agent)
    response = client.post(
        edit_url(ticket, "description"),
        {"version": 1, "description": "My careful description"},
        headers={**HTMX, "HX-Trigger": "edit-description-form"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "HX-Retarget" not in response
    editor = form_of(html, "edit-description-form")
    assert "My careful description</textarea>" in editor
    assert 'name="version" value="2"' in editor
    assert "What changed since you opened it" in editor
    assert "Impact: 3 – Low (one person) → 1 – High" in text(editor)
    assert Ticket.objects.get(pk=ticket.pk).description == ""
    again = client.post(
        edit_url(ticket, "description"),
        {"version": 2, "description": "My careful description"},
        headers={**HTMX, "HX-Trigger": "edit-description-form"},
    )
    assert again.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).description == "My careful description"


def test_a_full_page_save_redirects_and_a_full_page_refusal_opens_the_editor_in_the_page(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    saved = client.post(edit_url(ticket, "channel"), {"version": 1, "channel": "email"})
    assert saved.status_code == 302
    refused = client.post(edit_url(ticket, "requester"), {"version": 2, "requester": "x@y.z"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "<html" in html
    assert "No active person has that email address." in form_of(html, "edit-requester-form")


def test_watchers_are_kept_ticked_and_added_by_email(client_as, agent, requester, manager):
    ticket = make_ticket(requester=requester)
    ticket.watchers.add(manager)
    client = client_as(agent)
    editor = client.get(edit_url(ticket, "watchers"), headers=HTMX).content.decode()
    assert 'value="morgan@example.com" checked' in editor
    response = client.post(
        edit_url(ticket, "watchers"),
        {"version": 1, "watchers": ["morgan@example.com", "alice@example.com"]},
        headers={**HTMX, "HX-Trigger": "edit-watchers-form"},
    )
    assert response.status_code == 200
    assert set(Ticket.objects.get(pk=ticket.pk).watchers.all()) == {manager, agent}
    assert "Alice Agent, Morgan Manager" in response.content.decode()


def test_an_unknown_watcher_is_refused_and_the_typed_email_kept(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        edit_url(ticket, "watchers"),
        {"version": 1, "watchers": ["", "nobody@example.com"]},
        headers={**HTMX, "HX-Trigger": "edit-watchers-form"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "No active person has the email address nobody@example.com." in html
    assert 'value="nobody@example.com"' in html


def test_changing_the_service_re_evaluates_the_changes_panel(client_as, agent, requester):
    erp = ServiceFactory(name="ERP")
    cm = change_manager()
    change = make_change(actor=cm, start=timezone.now() - timedelta(hours=5), services=[erp])
    move(change, cm, "assessment")
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    before = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert change.number not in before
    response = client.post(
        edit_url(ticket, "service"),
        {"version": 1, "service": erp.pk, "ci": ""},
        headers={**HTMX, "HX-Trigger": "edit-service-form"},
    )
    assert response.status_code == 200
    assert change.number in response.content.decode()


# --- Assignment: the team's agent list ---


def test_the_agent_list_follows_the_team(client_as, agent, agent_other_team, other_team):
    html = client_as(agent).get("/desk/tickets/team-agents/", {"team": other_team.pk}).content
    assert b"Nick Network" in html and b"Alice Agent" not in html
    assert (
        client_as(agent).get("/desk/tickets/team-agents/", {"team": "x"}).content.count(b"<option")
        == 1
    )


def test_a_team_member_added_or_deactivated_shows_in_the_agent_list_at_once(
    client_as, agent, agent_other_team, other_team
):
    def listed() -> bytes:
        return client_as(agent).get("/desk/tickets/team-agents/", {"team": other_team.pk}).content

    assert b"Alice Agent" not in listed()  # the teams' lists are cached now
    other_team.members.add(agent)
    assert b"Alice Agent" in listed()
    agent_other_team.is_active = False
    agent_other_team.save()
    assert b"Nick Network" not in listed()


def test_the_assignment_form_offers_the_tickets_team_agents_only(
    client_as, agent, agent_other_team, requester, service_desk_team
):
    ticket = make_ticket(requester=requester, assignment_team=service_desk_team)
    html = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    agents = html.split('name="assignee"', 1)[1].split("</select>", 1)[0]
    assert "Alice Agent" in agents and "Nick Network" not in agents


def test_assigning_a_non_member_shows_the_services_message_in_the_assignment_form(
    client_as, agent, agent_other_team, requester, service_desk_team
):
    ticket = make_ticket(requester=requester, assignment_team=service_desk_team)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/assign/",
        {"version": 1, "team": service_desk_team.pk, "assignee": agent_other_team.pk},
        headers={**HTMX, "HX-Trigger": "assign-form"},
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#assign-form .refusal"
    assert "Nick Network is not a member of Service Desk." in response.content.decode()


# --- Reply and set ---


def test_send_and_set_awaiting_requester_replies_and_holds_in_one_step(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/reply/",
        {
            "version": 1,
            "body": "Which client version?",
            "visibility": "public",
            "set_status": "awaiting_requester",
        },
        headers={**HTMX, "HX-Trigger": "reply-form"},
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.on_hold_reason) == ("on_hold", "awaiting_requester")
    assert ticket.comments.get().is_public


def test_send_and_resolve_takes_the_outcome_chosen_in_the_reply_form(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    client_as(agent).post(
        f"/desk/tickets/{ticket.number}/reply/",
        {
            "version": 1,
            "body": "Worked around it with the web client.",
            "visibility": "public",
            "set_status": "resolved",
            "resolution_code": "workaround",
        },
        headers={**HTMX, "HX-Trigger": "reply-form"},
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.resolution_code) == ("resolved", "workaround")
    assert ticket.resolution_notes == "Worked around it with the web client."


def test_a_work_note_cannot_set_the_status(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"version": 1, "body": "Internal", "visibility": "internal", "set_status": "resolved"},
        headers={**HTMX, "HX-Trigger": "reply-form"},
    )
    assert response.status_code == 400
    assert "Only a public reply can set the status" in response.content.decode()
    assert not Ticket.objects.get(pk=ticket.pk).comments.exists()


# --- The ticket page's query count ---


def _page_queries(client, ticket) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/desk/tickets/{ticket.number}/")
    assert response.status_code == 200
    return [query["sql"][:120] for query in queries.captured_queries]


def _add_watchers_and_notes(ticket, agent, start, count):
    for i in range(start, start + count):
        ticket.watchers.add(UserFactory(email=f"w{i}@example.com"))
        services.comment_add(ticket=ticket, author=agent, body=f"Note {i}", is_public=False)


def test_the_ticket_page_runs_a_fixed_number_of_queries(
    client_as, agent, requester, service_desk_team
):
    service = ServiceFactory()
    ticket = make_ticket(
        requester=requester,
        assignment_team=service_desk_team,
        service=service,
        ci=ConfigurationItemFactory(service=service),
    )
    _add_watchers_and_notes(ticket, agent, 0, 1)
    client = client_as(agent)
    client.get(f"/desk/tickets/{ticket.number}/")  # warm the per-process caches
    few = _page_queries(client, ticket)
    _add_watchers_and_notes(ticket, agent, 1, 7)
    # New people drop the cached choice lists (the team select draws from them): refill.
    client.get(f"/desk/tickets/{ticket.number}/")
    many = _page_queries(client, ticket)
    # Not one more with more watchers and notes: the watchers field and "am I following"
    # come from one query, the team's agent list and the desk's people (the declare form)
    # come from the cached choice lists, and the other apps' panels are
    # fetched by the page afterwards (their own request, below).
    assert len(few) == len(many), many
    assert len(many) <= TICKET_PAGE_QUERIES, many


def test_the_ticket_panels_are_fetched_with_a_fixed_number_of_queries(
    client_as, agent, requester, django_assert_max_num_queries
):
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    assert (
        f'hx-get="/desk/tickets/{ticket.number}/panels/"'
        in client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    )
    # Session, user, roles, the ticket row, and the problems and changes panels.
    with django_assert_max_num_queries(8):
        response = client.get(f"/desk/tickets/{ticket.number}/panels/")
    assert response.status_code == 200
    assert 'id="ticket-panels"' in response.content.decode()
    other = client_as(requester).get(f"/desk/tickets/{ticket.number}/panels/")
    assert other.status_code in (302, 403)


# Session, user; the ticket row with its people and team, its CI with its service (one read
# when the CI is on the ticket's service), its clocks; watchers; comments, their files (one
# read for the report's and the replies'), the audit trail; children and duplicates with the
# requester's other open tickets (one read), linked articles; the time worked (the agent's roles and permissions, to offer its forms, come from the cache).
# The agent's "seen" marker is one upsert when the requester has replied since.
TICKET_PAGE_QUERIES = 12
