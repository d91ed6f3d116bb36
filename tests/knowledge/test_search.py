"""Search quality on a realistic corpus, access rules in search, and the typo fallback."""

import pytest

from knowledge.choices import ArticleStatus
from knowledge.selectors import article_search
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory, CategoryFactory
from tests.knowledge.search_corpus import NO_MATCH_QUERIES, QUERIES, all_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(db):
    articles = all_articles()
    assert len(articles) >= 50
    return {
        title: ArticleFactory(title=title, summary=summary, body=body, audience=audience)
        for title, summary, body, audience in articles
    }


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_expected_article_ranks_in_the_top_three(corpus, requester, query, expected):
    titles = [a.title for a in article_search(user=requester, query=query, limit=3)]
    assert expected in titles, f"{query!r} → {titles}"


@pytest.mark.parametrize("query", NO_MATCH_QUERIES)
def test_a_query_that_matches_nothing_returns_nothing(corpus, requester, query):
    assert article_search(user=requester, query=query) == []


def test_title_matches_outrank_body_matches(requester):
    ArticleFactory(title="Laptop docking guide", body="Mentions the printer once.")
    ArticleFactory(title="Printer troubleshooting", body="Nothing else.")
    results = article_search(user=requester, query="printer")
    assert [a.title for a in results] == ["Printer troubleshooting", "Laptop docking guide"]
    assert results[0].rank > results[1].rank


def test_results_carry_a_highlighted_headline(corpus, requester):
    (first, *_) = article_search(user=requester, query="paper jam")
    assert "\x02" in first.headline


def test_internal_and_unpublished_articles_never_reach_a_requester(corpus, requester, agent):
    ArticleFactory(title="Printer driver rollback", status=ArticleStatus.DRAFT)
    ArticleFactory(title="Printer firmware retired", status=ArticleStatus.RETIRED)
    requester_titles = {a.title for a in article_search(user=requester, query="printer", limit=50)}
    agent_titles = {a.title for a in article_search(user=agent, query="printer", limit=50)}
    assert "Printer driver rollback" not in requester_titles
    assert "Printer firmware retired" not in requester_titles
    assert {"Printer driver rollback", "Printer firmware retired"} <= agent_titles
    assert article_search(user=requester, query="failover runbook") == []
    assert [a.title for a in article_search(user=agent, query="failover runbook")] == [
        "VPN concentrator failover runbook"
    ]


def test_the_typo_fallback_respects_the_audience_too(corpus, requester):
    assert article_search(user=requester, query="failovr runbok") == []


def test_search_filters_by_category_including_subcategories_and_by_service(requester):
    network = CategoryFactory(name="Network")
    vpn_category = CategoryFactory(name="VPN", parent=network)
    vpn = ServiceFactory(name="VPN")
    in_tree = ArticleFactory(title="VPN client install", category=vpn_category, services=[vpn])
    ArticleFactory(title="VPN elsewhere")
    assert article_search(user=requester, query="vpn", category=network.pk) == [in_tree]
    assert article_search(user=requester, query="vpn", service=vpn.pk) == [in_tree]


def test_an_empty_query_returns_nothing(corpus, requester):
    assert article_search(user=requester, query="   ") == []


def test_past_the_candidate_cap_title_matches_still_come_first(requester, monkeypatch):
    """GIVEN more body-only matches than the ranking cap and one title match
    WHEN searching  THEN the title match is first and the rest fill the page."""
    monkeypatch.setattr("knowledge.selectors.SEARCH_RANK_CANDIDATES", 3)
    for n in range(8):
        ArticleFactory(title=f"Unrelated {n}", body="The toner is low.")
    ArticleFactory(title="Replace the toner")
    titles = [a.title for a in article_search(user=requester, query="toner", limit=5)]
    assert titles[0] == "Replace the toner"
    # the title match plus the capped candidates (which may include the title match again)
    assert 3 <= len(titles) <= 4


def test_nul_characters_and_very_long_queries_do_not_break_search(requester, client_as):
    ArticleFactory(title="Printer setup")
    assert [a.title for a in article_search(user=requester, query="print\x00er")] == [
        "Printer setup"
    ]
    assert article_search(user=requester, query="printer " * 200)[0].title == "Printer setup"
    # A NUL in the address is refused for every page and endpoint by the core middleware.
    portal = client_as(requester).get("/portal/knowledge/", {"q": "print\x00er"})
    assert portal.status_code == 400 and b"not allowed (NUL)" in portal.content
    api = client_as(requester).get("/api/v1/articles/", {"search": "a\x00b"})
    assert api.status_code == 400 and b"not allowed (NUL)" in api.content
