import pytest
from django.utils.html import strip_tags

from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# What the desk's new-ticket form sends for a caller's phone call (the requester apart).
CALLER_TICKET = {
    "kind": "incident",
    "channel": "phone",
    "short_description": "Monitor flickers",
    "impact": 3,
    "urgency": 2,
}


@pytest.mark.parametrize("rows", [5, 40])
def test_queue_page_runs_a_fixed_number_of_queries(
    client_as, agent, requester, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        make_ticket(requester=requester)
    client = client_as(agent)
    # First load: session, user, the agent's roles and permissions (2, then cached), the
    # agent's queue preference, rows, SLA clocks, the agent's teams and 7 bounded queue
    # counts, saved filters, the 5 cached choice lists (the filter bar's 4 and the desk's
    # people, read together), the bulk bar's macros (cached apart: they change on their own),
    # and remembering the view (one upsert).
    with django_assert_max_num_queries(24):
        response = client.get("/desk/tickets/", {"queue": "open", "page_size": 50})
    assert response.content.decode().count('data-href="/desk/tickets/INC') == rows
    # Later loads read the roles, counts and choice lists from the cache and the view is
    # already remembered: session, user, preference, rows, SLA clocks, saved filters — the
    # same at 5 and 40 rows.
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
    # The queue page opened bare goes to the agent's last view (first time: My work).
    html = client_as(agent).get("/desk/tickets/", follow=True).content.decode()
    assert 'My work <span class="count">1</span>' in html


def test_queue_counts_are_capped(client_as, agent, requester, settings):
    settings.ITSM_QUEUE_COUNT_CAP = 2
    for _ in range(3):
        make_ticket(requester=requester)
    assert (
        'All open <span class="count">2+</span>'
        in client_as(agent).get("/desk/tickets/", follow=True).content.decode()
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
    assert "was changed by someone else since you opened it" in html
    assert "What changed since you opened it" in html
    box = html[html.index("stale-box") :]
    changed = " ".join(strip_tags(box[: box.index("</div>")]).split())
    assert "Impact: 3 – Low (one person) → 1 – High (many people or a critical service)" in changed
    assert "My carefully typed resolution" in html
    assert 'name="version" value="2"' in html
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
        {"requester": requester.email, **CALLER_TICKET},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.requester == requester
    assert ticket.channel == "phone"
    assert ticket.created_by == agent


def test_a_new_ticket_keeps_its_screenshots_and_shows_the_pasted_one_inline(
    client_as, agent, requester, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.tickets.test_rich_text import png_bytes

    settings.MEDIA_ROOT = tmp_path
    response = client_as(agent).post(
        "/desk/tickets/new/",
        {
            "requester": requester.email,
            **CALLER_TICKET,
            "description": "Caller sent ![screenshot.png](attached:screenshot.png) and a log "
            "![log.txt](attached:log.txt)",
            "attachments": [
                SimpleUploadedFile("screenshot.png", png_bytes(), "image/png"),
                SimpleUploadedFile("log.txt", b"boot failed", "text/plain"),
            ],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    image = ticket.attachments.get(original_name="screenshot.png")
    assert ticket.attachments.filter(original_name="log.txt").exists()
    # The image is shown where it was pasted; a file that is no image stays a name.
    assert ticket.description == (
        f"Caller sent ![screenshot.png](/attachments/{image.pk}/) and a log "
        "![log.txt](attached:log.txt)"
    )
    page = client_as(agent).get(ticket.get_absolute_url()).content.decode()
    assert f'src="/attachments/{image.pk}/"' in page


def test_creating_with_an_unknown_requester_shows_the_error_and_keeps_input(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/new/",
        {"requester": "ghost@example.com", **CALLER_TICKET},
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
        {
            "numbers": [t.number for t in tickets],
            **{f"version_{t.number}": t.version for t in tickets},
            "action": "assign",
            "team": service_desk_team.pk,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Assign: 3 done, 0 refused." in html
    for t in tickets:
        assert f"{t.number}: done — assigned to Service Desk." in html
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
    queue = {"queue": "open"}
    assert '<a href="?priority=1">P1s</a>' in client.get("/desk/tickets/", queue).content.decode()
    client.post("/desk/tickets/filters/", {"name": "P1s", "query": "priority=2"})
    assert '<a href="?priority=2">P1s</a>' in client.get("/desk/tickets/", queue).content.decode()
    assert "P1s" not in client_as(manager).get("/desk/tickets/", queue).content.decode()


def test_a_filter_without_a_name_is_refused_plainly(client_as, agent):
    response = client_as(agent).post(
        "/desk/tickets/filters/", {"name": " ", "query": "x=1"}, follow=True
    )
    assert "Give the filter a name to save it." in response.content.decode()


# --- Refusals: the server's message where the agent acted ---------------------------------

HTMX = {"HX-Request": "true"}


def test_assigning_another_teams_ticket_to_me_answers_htmx_with_a_fragment_for_that_form(
    client_as, agent, requester, other_team
):
    ticket = make_ticket(requester=requester, assignment_team=other_team)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/assign/",
        {"version": 1, "to_me": "1"},
        headers={**HTMX, "HX-Trigger": "assign-to-me-form"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#assign-to-me-form .refusal"
    assert response["HX-Reswap"] == "innerHTML"
    assert f"{agent} is not a member of {other_team}." in html
    assert "ticket-grid" not in html
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_resolving_without_a_code_through_htmx_names_what_is_missing_in_the_status_form(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/transition/",
        {"to_status": "resolved", "version": 1, "resolution_notes": "Typed notes"},
        headers={**HTMX, "HX-Trigger": "transition-form"},
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#transition-form .refusal"
    assert "Please give a resolution code" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_a_refusal_from_a_control_without_a_form_id_goes_on_top_of_the_page(
    client_as, agent, requester
):
    ticket = make_ticket(requester=requester)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/transition/",
        {"to_status": "resolved", "version": 1},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#main", "afterbegin")
    assert "Please give a resolution code" in response.content.decode()


def test_a_full_page_refusal_re_renders_the_ticket_with_the_message_in_the_sent_form(
    client_as, agent, requester, other_team
):
    ticket = make_ticket(requester=requester, assignment_team=other_team)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/assign/", {"version": 1, "to_me": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html
    slot = html.split('id="assign-to-me-form"', 1)[1].split("</form>", 1)[0]
    assert f"{agent} is not a member of {other_team}." in slot


def test_a_stale_reply_through_htmx_re_renders_the_ticket_with_the_reply_kept(
    client_as, agent, requester, manager
):
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=manager, expected_version=1, impact=1)
    client = client_as(agent)
    response = client.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"body": "My long careful answer", "visibility": "public", "version": 1},
        headers={**HTMX, "HX-Trigger": "reply-form"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "HX-Retarget" not in response
    assert "<html" not in html
    reply_form = html.split('id="reply-form"', 1)[1].split("</form>", 1)[0]
    assert "My long careful answer</textarea>" in reply_form
    assert 'name="version" value="2"' in reply_form
    assert "What changed since you opened it" in reply_form
    changed = " ".join(strip_tags(reply_form).split())
    assert f"{manager} Updated" in changed
    assert "Impact: 3 – Low (one person) → 1 – High (many people or a critical service)" in changed
    assert not ticket.comments.exists()
    again = client.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"body": "My long careful answer", "visibility": "public", "version": 2},
        headers={**HTMX, "HX-Trigger": "reply-form"},
    )
    assert again.status_code == 200
    assert ticket.comments.get().body == "My long careful answer"


def test_every_form_htmx_sends_has_an_id_and_a_refusal_slot():
    """GIVEN the templates WHEN a form is sent by htmx THEN a refusal has a place to go."""
    from pathlib import Path

    from django.conf import settings

    forms = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        for chunk in text.split("<form")[1:]:
            tag, _, rest = chunk.partition(">")
            if "hx-post" in tag:
                forms.append((template.name, tag, rest.split("</form>", 1)[0]))
    assert forms
    for name, tag, body in forms:
        assert ' id="' in tag, f"{name}: a form sent by htmx has no id: <form{tag}>"
        assert "components/_refusal_slot.html" in body, f"{name}: no refusal slot in <form{tag}>"


@pytest.mark.parametrize("relation", ["parent", "duplicate"])
def test_a_link_on_a_ticket_someone_changed_meanwhile_is_refused_with_what_changed(
    client_as, agent, requester, manager, relation
):
    ticket, other = make_ticket(requester=requester), make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=manager, expected_version=1, impact=1)
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/link/",
        {"relation": relation, "number": other.number, "version": 1},
    )
    assert response.status_code == 409
    assert "was changed by someone else since you opened it" in response.content.decode()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.parent_id, fresh.duplicate_of_id, fresh.status) == (None, None, "new")

    linked = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/link/",
        {"relation": relation, "number": other.number, "version": fresh.version},
    )
    assert linked.status_code in (200, 302)
    fresh.refresh_from_db()
    assert other.pk in (fresh.parent_id, fresh.duplicate_of_id)


def test_a_refused_file_on_a_new_ticket_says_why_and_keeps_the_typing(
    client_as, agent, requester, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    response = client_as(agent).post(
        "/desk/tickets/new/",
        {
            "requester": requester.email,
            **CALLER_TICKET,
            "attachments": [
                SimpleUploadedFile("evil.svg", b"<svg onload=alert(1)>", "image/svg+xml")
            ],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "evil.svg" in html and 'role="alert"' in html
    assert 'value="Monitor flickers"' in html
    assert not Ticket.objects.exists()
