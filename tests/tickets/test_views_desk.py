import pytest
from django.utils.html import strip_tags

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [5, 40])
def test_queue_page_runs_a_fixed_number_of_queries(
    client_as, agent, requester, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        make_ticket(requester=requester)
    client = client_as(agent)
    # First load: session, user, roles, rows, SLA clocks, the agent's teams and 6 bounded
    # queue counts, saved filters, the filter bar's 4 choice lists.
    with django_assert_max_num_queries(18):
        response = client.get("/desk/tickets/", {"queue": "open", "page_size": 50})
    assert response.content.decode().count('data-href="/desk/tickets/INC') == rows
    # Later loads read the counts and choice lists from the cache: session, user, roles,
    # rows, SLA clocks, saved filters — the same at 5 and 40 rows.
    with django_assert_max_num_queries(6):
        response = client.get("/desk/tickets/", {"queue": "open", "page_size": 50})
    assert response.content.decode().count('data-href="/desk/tickets/INC') == rows


def test_queue_filters_return_a_partial_for_htmx(client_as, agent, requester):
    make_ticket(requester=requester, short_description="VPN drops every hour")
    make_ticket(requester=requester, short_description="Printer jam")
    response = client_as(agent).get(
        "/desk/tickets/", {"q": "vpn"}, headers={"HX-Request": "true", "HX-Target": "ticket-table"}
    )
    html = response.content.decode()
    assert "VPN drops" in html
    assert "Printer jam" not in html
    assert 'aria-label="Workspace"' not in html


def test_queue_counts_show_in_the_queue_navigation(client_as, agent, requester, service_desk_team):
    ticket = make_ticket(requester=requester)
    services.ticket_assign(
        ticket=ticket, actor=agent, expected_version=1, team=service_desk_team, assignee=agent
    )
    html = client_as(agent).get("/desk/tickets/").content.decode()
    assert 'My work <span class="count">1</span>' in html


def test_queue_counts_are_capped(client_as, agent, requester, settings):
    settings.ITSM_QUEUE_COUNT_CAP = 2
    for _ in range(3):
        make_ticket(requester=requester)
    assert (
        'All open <span class="count">2+</span>'
        in client_as(agent).get("/desk/tickets/").content.decode()
    )


def test_sorting_by_an_unknown_column_falls_back_safely(client_as, agent, requester):
    make_ticket(requester=requester)
    assert (
        client_as(agent).get("/desk/tickets/", {"sort": "requester__password"}).status_code == 200
    )


def test_stale_transition_shows_what_changed_and_keeps_the_typed_text(
    client_as, agent, requester, manager
):
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=manager, expected_version=1, impact=1)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/transition/",
        {
            "to_status": "resolved",
            "version": 1,
            "resolution_code": "solved",
            "resolution_notes": "My carefully typed resolution",
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this ticket" in html
    assert "What changed since you opened the ticket" in html
    box = html[html.index('class="stale-box"') :]
    changed = " ".join(strip_tags(box[: box.index("</section>")]).split())
    assert "Impact: 3 – Low (one person) → 1 – High (many people or a critical service)" in changed
    assert "My carefully typed resolution" in html
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_illegal_transition_is_explained_in_the_page(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/transition/", {"to_status": "resolved", "version": 1}
    )
    assert response.status_code == 400
    assert "Please give a resolution code and resolution notes." in response.content.decode()


def test_reply_through_htmx_returns_the_updated_ticket_fragment(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"body": "On my way", "visibility": "public"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "On my way" in html
    assert "<html" not in html


def test_html_in_descriptions_is_escaped(client_as, agent, requester):
    ticket = make_ticket(
        requester=requester,
        short_description="<script>alert(1)</script>",
        description='<img src=x onerror="alert(2)">',
    )
    html = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x onerror" not in html


def test_agent_raises_a_ticket_for_a_caller(client_as, agent, requester):
    response = client_as(agent).post(
        "/desk/tickets/new/",
        {
            "requester": requester.email,
            "kind": "incident",
            "channel": "phone",
            "short_description": "Monitor flickers",
            "impact": 3,
            "urgency": 2,
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.requester == requester
    assert ticket.channel == "phone"
    assert ticket.created_by == agent


def test_creating_with_an_unknown_requester_shows_the_error_and_keeps_input(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/new/",
        {
            "requester": "ghost@example.com",
            "kind": "incident",
            "channel": "phone",
            "short_description": "Monitor flickers",
            "impact": 3,
            "urgency": 2,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "No active person has that email address." in html
    assert 'value="Monitor flickers"' in html
    assert not Ticket.objects.exists()


def test_bulk_assign_reports_per_ticket(client_as, agent, requester, service_desk_team):
    tickets = [make_ticket(requester=requester) for _ in range(3)]
    response = client_as(agent).post(
        "/desk/tickets/bulk/",
        {"numbers": [t.number for t in tickets], "action": "assign", "team": service_desk_team.pk},
        follow=True,
    )
    assert "Updated 3 tickets." in response.content.decode()
    assert Ticket.objects.filter(assignment_team=service_desk_team).count() == 3


def test_requester_lookup_offers_matching_people(client_as, agent, requester, other_requester):
    html = (
        client_as(agent)
        .get("/desk/tickets/requester-lookup/", {"requester": "rita"})
        .content.decode()
    )
    assert f'value="{requester.email}"' in html
    assert other_requester.email not in html


def test_agent_saves_a_queue_filter_and_finds_it_in_the_navigation(client_as, agent, manager):
    client = client_as(agent)
    response = client.post("/desk/tickets/filters/", {"name": "P1s", "query": "priority=1"})
    assert response.status_code == 302
    assert response["Location"] == "/desk/tickets/?priority=1"
    assert '<a href="?priority=1">P1s</a>' in client.get("/desk/tickets/").content.decode()
    client.post("/desk/tickets/filters/", {"name": "P1s", "query": "priority=2"})
    assert '<a href="?priority=2">P1s</a>' in client.get("/desk/tickets/").content.decode()
    assert "P1s" not in client_as(manager).get("/desk/tickets/").content.decode()


def test_a_filter_without_a_name_is_refused_plainly(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/filters/", {"name": " ", "query": "x=1"}, follow=True
    )
    assert "Give the filter a name to save it." in response.content.decode()
