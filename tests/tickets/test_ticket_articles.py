"""Knowledge from the agent's side: find, link, quote, and write an article from a ticket."""

import pytest

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused
from knowledge.models import Article
from tests.factories.knowledge import ArticleFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.exceptions import InvalidTicketInput
from tickets.models import TicketArticleLink

pytestmark = pytest.mark.django_db


def test_agent_finds_articles_from_the_ticket_page(client_as, agent, requester):
    ArticleFactory(title="Reset a forgotten VPN password", body="Use the self-service page.")
    ArticleFactory(title="VPN internal runbook", audience="internal")
    ticket = make_ticket(requester=requester)
    html = (
        client_as(agent)
        .get(f"/desk/tickets/{ticket.number}/articles/", {"q": "vpn"})
        .content.decode()
    )
    assert "Reset a forgotten VPN password" in html
    assert "VPN internal runbook" in html  # staff see internal articles
    assert "Insert link in reply" in html


def test_linking_is_idempotent_audited_and_counted(client_as, agent, requester):
    article = ArticleFactory(title="Printer jams")
    ticket = make_ticket(requester=requester)
    client = client_as(agent)
    for _ in range(2):
        client.post(f"/desk/tickets/{ticket.number}/articles/link/", {"article": article.number})
    assert TicketArticleLink.objects.filter(ticket=ticket, article=article).count() == 1
    assert AuditEvent.objects.filter(record_id=ticket.pk, action="article_linked").count() == 1
    page = client.get(f"/desk/knowledge/{article.number}/").content.decode()
    assert "Linked tickets</dt><dd>1</dd>" in page
    client.post(
        f"/desk/tickets/{ticket.number}/articles/link/", {"article": article.number, "unlink": "1"}
    )
    assert not TicketArticleLink.objects.exists()


def test_requesters_cannot_link_articles(requester):
    article = ArticleFactory()
    ticket = make_ticket(requester=requester)
    with pytest.raises(PermissionRefused):
        services.ticket_link_article(ticket=ticket, article=article, actor=requester)


def test_article_draft_from_a_resolved_ticket_carries_the_resolution(client_as, agent, requester):
    ticket = make_ticket(requester=requester, short_description="Outlook asks for a password")
    ticket = services.ticket_transition(
        ticket=ticket,
        to_status="resolved",
        actor=agent,
        expected_version=ticket.version,
        resolution_code="solved",
        resolution_notes="Cleared the cached credentials.",
    )
    response = client_as(agent).post(f"/desk/tickets/{ticket.number}/articles/draft/")
    article = Article.objects.get()
    assert response.status_code == 302
    assert (article.status, article.audience) == ("draft", "internal")
    assert "Cleared the cached credentials." in article.body
    assert TicketArticleLink.objects.filter(ticket=ticket, article=article).exists()


def test_no_article_draft_without_a_resolution(agent, requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput):
        services.article_draft_from_ticket(ticket=ticket, actor=agent)
    assert not Article.objects.exists()
