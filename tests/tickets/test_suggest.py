"""Suggested articles and similar tickets on the desk's ticket page (issue #18)."""

import datetime

import pytest
from django.utils import timezone

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets import selectors, services
from tickets.models import Ticket, TicketArticleLink
from tickets.selectors import suggest

pytestmark = pytest.mark.django_db


def _resolved(ticket, agent, notes):
    return services.ticket_transition(
        ticket=ticket,
        to_status="resolved",
        actor=agent,
        expected_version=ticket.version,
        resolution_code="solved",
        resolution_notes=notes,
    )


def _fresh(number, agent):
    return selectors.ticket_get_for_suggestions(user=agent, number=number)


def test_similar_tickets_rank_by_shared_words_and_leave_out_itself(agent, requester):
    vpn = make_ticket(requester=requester, short_description="VPN drops every few minutes")
    _resolved(vpn, agent, "Pinned the client to the Frankfurt gateway.")
    make_ticket(requester=requester, short_description="Printer jam on floor 3")
    ticket = make_ticket(
        requester=requester,
        short_description="VPN keeps disconnecting",
        description="The VPN drops when I work from home.",
    )
    similar = suggest.ticket_list_similar(ticket=_fresh(ticket.number, agent), user=agent)
    assert [t.number for t in similar] == [vpn.number]
    assert similar[0].resolution_notes == "Pinned the client to the Frankfurt gateway."


def test_similar_tickets_skip_old_resolutions_and_duplicates(agent, requester):
    old = make_ticket(requester=requester, short_description="Outlook password prompt")
    _resolved(old, agent, "Cleared the credentials.")
    Ticket.objects.filter(pk=old.pk).update(
        resolved_at=timezone.now() - suggest.RESOLVED_WITHIN - datetime.timedelta(days=1)
    )
    original = make_ticket(requester=requester, short_description="Outlook password again")
    dupe = make_ticket(requester=requester, short_description="Outlook password prompt twice")
    services.ticket_mark_duplicate(ticket=dupe, duplicate_of=original, actor=agent)
    ticket = make_ticket(requester=requester, short_description="Outlook asks for password")
    similar = suggest.ticket_list_similar(ticket=_fresh(ticket.number, agent), user=agent)
    assert [t.number for t in similar] == [original.number]


def test_articles_come_from_the_portal_search_and_move_up_with_links_and_service(agent, requester):
    vpn_service = ServiceFactory(name="VPN")
    # Both match "VPN"; the service and an agent's link on a similar ticket lift the second.
    general = ArticleFactory(title="VPN and Wi-Fi overview", body="VPN basics.")
    fix = ArticleFactory(title="Renew the device certificate", body="For the VPN client.")
    fix.services.set([vpn_service])
    ArticleFactory(title="VPN draft", status="draft")
    earlier = make_ticket(
        requester=requester, short_description="VPN certificate error", service=vpn_service
    )
    services.ticket_link_article(ticket=earlier, article=fix, actor=agent)
    ticket = make_ticket(
        requester=requester, short_description="VPN certificate invalid", service=vpn_service
    )
    articles = suggest.article_list_suggested_for_ticket(
        ticket=_fresh(ticket.number, agent), user=agent
    )
    assert [a.number for a in articles] == [fix.number, general.number]  # no draft
    assert articles[0].reasons == [
        "matches the ticket's words",
        "on this service",
        "linked to similar tickets",
    ]


def test_articles_already_linked_to_the_ticket_are_not_suggested_again(agent, requester):
    article = ArticleFactory(title="Clear a paper jam")
    ticket = make_ticket(requester=requester, short_description="Paper jam on the printer")
    services.ticket_link_article(ticket=ticket, article=article, actor=agent)
    assert (
        suggest.article_list_suggested_for_ticket(ticket=_fresh(ticket.number, agent), user=agent)
        == []
    )


def test_requesters_get_no_suggestions(requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(PermissionRefused):
        suggest.ticket_list_similar(ticket=ticket, user=requester)
    with pytest.raises(PermissionRefused):
        suggest.article_list_suggested_for_ticket(ticket=ticket, user=requester)


def test_panels_query_counts_do_not_grow_with_data(
    client_as, agent, requester, django_assert_num_queries
):
    service = ServiceFactory(name="Printing")
    for n in range(6):
        earlier = make_ticket(
            requester=requester, short_description=f"Printer jam {n}", service=service
        )
        services.ticket_link_article(
            ticket=earlier, article=ArticleFactory(title=f"Printer fix {n}"), actor=agent
        )
    ticket = make_ticket(requester=requester, short_description="Printer jam", service=service)
    client = client_as(agent)
    client.get("/desk/")  # the agent's roles are read once per visit, then cached
    # session + user (2), ticket (1), similar ids (1), the portal search (3: titles, the whole
    # text when fewer titles match than asked for, the rows), links (1), on-service (1);
    # the linked articles the search found need no read of their own
    with django_assert_num_queries(9):
        articles = client.get(f"/desk/tickets/{ticket.number}/articles/suggested/")
    assert articles.status_code == 200
    assert "Printer fix" in articles.content.decode()
    with django_assert_num_queries(5):  # session + user, ticket, similar (ranked ids, rows)
        similar = client.get(f"/desk/tickets/{ticket.number}/similar/")
    assert similar.content.decode().count('id="duplicate-of-') == 5


def test_ticket_page_loads_both_panels_after_it_is_shown(client_as, agent, requester):
    ticket = make_ticket(requester=requester)
    html = client_as(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f'hx-get="/desk/tickets/{ticket.number}/articles/suggested/" hx-trigger="load"' in html
    assert f'hx-get="/desk/tickets/{ticket.number}/similar/" hx-trigger="load"' in html


def test_similar_panel_shows_resolution_notes_to_insert(client_as, agent, requester):
    earlier = make_ticket(requester=requester, short_description="Teams call drops at home")
    _resolved(earlier, agent, "Turned the VPN off during calls.")
    ticket = make_ticket(requester=requester, short_description="Teams call drops")
    html = client_as(agent).get(f"/desk/tickets/{ticket.number}/similar/").content.decode()
    assert "Turned the VPN off during calls." in html
    assert 'data-insert="Turned the VPN off during calls."' in html


def test_requesters_do_not_see_the_panels(client_as, requester, other_requester):
    mine = make_ticket(requester=requester)
    theirs = make_ticket(requester=other_requester)
    client = client_as(requester)
    for ticket in (mine, theirs):
        for tail in ("articles/suggested/", "similar/"):
            assert client.get(f"/desk/tickets/{ticket.number}/{tail}").status_code in (302, 403)


def test_mark_as_duplicate_resolves_and_is_audited(client_as, agent, requester):
    original = make_ticket(requester=requester, short_description="Printer jam on floor 3")
    ticket = make_ticket(requester=requester, short_description="Printer jam floor 3")
    response = client_as(agent).post(
        f"/desk/tickets/{ticket.number}/duplicate-of/",
        {"duplicate_of": original.number, "version": ticket.version},
        follow=True,
    )
    assert f"Marked as a duplicate of {original.number} and resolved." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.duplicate_of_id == original.pk and ticket.status == "resolved"
    assert AuditEvent.objects.filter(record_id=ticket.pk, action="linked").exists()


def test_mark_as_duplicate_refuses_a_stale_version_and_itself(client_as, agent, requester):
    original = make_ticket(requester=requester, short_description="Printer jam")
    ticket = make_ticket(requester=requester, short_description="Printer jam again")
    client = client_as(agent)
    url = f"/desk/tickets/{ticket.number}/duplicate-of/"
    stale = client.post(
        url,
        {"duplicate_of": original.number, "version": ticket.version - 1},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER=f"duplicate-of-{original.number}",
    )
    assert stale.status_code == 409
    assert stale["HX-Retarget"] == f"#duplicate-of-{original.number} .refusal"
    itself = client.post(
        url,
        {"duplicate_of": ticket.number, "version": ticket.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER=f"duplicate-of-{ticket.number}",
    )
    assert itself.status_code == 400
    assert "A ticket cannot duplicate itself." in itself.content.decode()
    ticket.refresh_from_db()
    assert ticket.duplicate_of_id is None and ticket.status == "new"


# --- API ------------------------------------------------------------------------------


def test_api_suggestions_and_duplicate(api_as, agent, requester):
    article = ArticleFactory(title="Clear a paper jam", summary="Open the side panel.")
    earlier = make_ticket(requester=requester, short_description="Paper jam floor 2")
    ticket = make_ticket(requester=requester, short_description="Paper jam in the printer")
    api = api_as(agent)
    base = f"/api/v1/incidents/{ticket.number}"
    suggested = api.get(f"{base}/suggested-articles/").json()
    assert suggested[0]["number"] == article.number
    assert suggested[0]["reasons"] == ["matches the ticket's words"]
    similar = api.get(f"{base}/similar/").json()
    assert [t["number"] for t in similar] == [earlier.number]
    linked = api.post(f"{base}/link-article/", {"article": article.number}, format="json")
    assert linked.status_code == 201 and linked.json()["article"] == article.number
    assert TicketArticleLink.objects.filter(ticket=ticket, article=article).exists()
    stale = api.post(
        f"{base}/mark-duplicate/",
        {"duplicate_of": earlier.number, "version": ticket.version - 1},
        format="json",
    )
    assert stale.status_code == 409
    done = api.post(
        f"{base}/mark-duplicate/",
        {"duplicate_of": earlier.number, "version": ticket.version},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["duplicate_of"] == earlier.number
    assert done.json()["status"] == "resolved"


def test_api_suggestions_are_for_the_desk_and_404_on_anothers_ticket(
    api_as, requester, other_requester
):
    mine = make_ticket(requester=requester)
    theirs = make_ticket(requester=other_requester)
    api = api_as(requester)
    assert api.get(f"/api/v1/incidents/{theirs.number}/similar/").status_code == 404
    assert api.get(f"/api/v1/incidents/{mine.number}/similar/").status_code == 403
    assert api.get(f"/api/v1/incidents/{mine.number}/suggested-articles/").status_code == 403
