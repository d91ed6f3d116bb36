import datetime

import pytest
from django.urls import reverse

from itsm.accounts.roles import Role
from knowledge import services
from knowledge.models import Article, ArticleFeedback
from tests.factories.accounts import UserFactory
from tests.factories.cmdb import ServiceFactory
from tests.factories.knowledge import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

LIST = reverse("knowledge:desk-article-list")
PORTAL = reverse("knowledge:portal-article-search")


def detail(article):
    return reverse("knowledge:desk-article-detail", args=[article.number])


def portal_detail(article):
    return reverse("knowledge:portal-article-detail", args=[article.number])


# --- Desk ---------------------------------------------------------------------------------


def test_the_desk_list_searches_and_returns_a_partial_for_htmx(client_as, agent):
    ArticleFactory(title="Printer jam", body="Open the tray.")
    ArticleFactory(title="VPN setup")
    client = client_as(agent)
    full = client.get(LIST, {"search": "printer"})
    assert full.status_code == 200
    assert b"<html" in full.content and b"Printer jam" in full.content
    assert b"VPN setup" not in full.content
    partial = client.get(LIST, {"search": "printer"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Printer jam" in partial.content


def test_a_requester_cannot_open_the_desk_list(client_as, requester):
    assert client_as(requester).get(LIST).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_the_desk_list_query_count_does_not_grow(
    client_as, agent, django_assert_max_num_queries, size
):
    vpn = ServiceFactory(name="VPN")
    category = CategoryFactory(name="Network")
    for _ in range(size):
        ArticleFactory(services=[vpn], category=category, owner=agent)
    client = client_as(agent)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.content.count(b'href="/desk/knowledge/KB') == size


def test_the_detail_page_shows_body_versions_feedback_and_history(
    client_as, knowledge_editor, draft, publish, requester
):
    article = publish(draft)
    services.article_feedback_give(article=article, user=requester, is_helpful=True)
    page = client_as(knowledge_editor).get(detail(article)).content.decode()
    assert "<strong>GlobalProtect</strong>" in page
    assert "v1" in page and "1 yes · 0 no" in page
    assert "Changed the status" in page and "Status_changed" not in page
    assert "Retire" in page


def test_an_editor_creates_an_article_from_the_form(client_as, agent):
    response = client_as(agent).post(
        reverse("knowledge:desk-article-create"),
        {
            "title": "Headset crackles",
            "body": "Replug it.",
            "audience": "public",
            "tags": "Audio, headset",
        },
    )
    article = Article.objects.get(title="Headset crackles")
    assert response.status_code == 302 and response.url == detail(article)
    assert article.tags == ["audio", "headset"] and article.last_edited_by == agent


def test_a_stale_edit_keeps_the_typed_text_and_says_why(client_as, knowledge_editor, draft):
    services.article_update(
        article=draft, actor=knowledge_editor, expected_version=1, title="Newer"
    )
    response = client_as(knowledge_editor).post(
        reverse("knowledge:desk-article-edit", args=[draft.number]),
        {"title": "Mine", "body": "My careful new text", "audience": "public", "version": 1},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by someone else" in page
    assert "My careful new text" in page
    assert 'name="version" value="2"' in page
    draft.refresh_from_db()
    assert draft.title == "Newer"


def test_a_requester_cannot_edit(client_as, requester, draft):
    url = reverse("knowledge:desk-article-edit", args=[draft.number])
    assert client_as(requester).get(url).status_code == 403


def test_transition_buttons_post_and_refuse_self_publishing(client_as, knowledge_editor, draft):
    client = client_as(knowledge_editor)
    url = reverse("knowledge:desk-article-transition", args=[draft.number])
    assert client.get(url).status_code == 405
    client.post(url, {"to_status": "review", "version": 1})
    response = client.post(url, {"to_status": "published", "version": 2}, follow=True)
    draft.refresh_from_db()
    assert draft.status == "review"
    assert "another knowledge editor" in response.content.decode()


def test_the_diff_page_shows_insertions_and_deletions(client_as, knowledge_editor, draft, publish):
    article = publish(draft)
    article = services.article_transition(
        article=article, actor=knowledge_editor, to_status="draft", expected_version=article.version
    )
    services.article_update(
        article=article,
        actor=knowledge_editor,
        expected_version=article.version,
        body=article.body.replace("GlobalProtect", "Always-On VPN"),
    )
    url = reverse("knowledge:desk-article-diff", args=[article.number])
    page = client_as(knowledge_editor).get(url, {"from": 1}).content.decode()
    assert "<ins>" in page or "<mark>" in page
    assert "Always-On" in page
    assert client_as(knowledge_editor).get(url, {"from": 7}).status_code == 404
    version_page = client_as(knowledge_editor).get(
        reverse("knowledge:desk-article-version", args=[article.number, 1])
    )
    assert b"GlobalProtect" in version_page.content


def test_restore_from_the_page_creates_a_draft(client_as, knowledge_editor, draft, publish):
    article = publish(draft)
    client_as(knowledge_editor).post(
        reverse("knowledge:desk-article-restore", args=[article.number, 1]),
        {"version": article.version},
    )
    article.refresh_from_db()
    assert article.status == "published"  # live until the restored text is published
    assert article.revision.status == "draft" and article.revision.body == draft.body


def test_the_editor_queue_lists_review_stale_and_poorly_rated(client_as, knowledge_editor):
    ArticleFactory(title="Waiting for review", status="review")
    ArticleFactory(title="Past its date", review_by=datetime.date(2020, 1, 1))
    ArticleFactory(title="Fresh", review_by=datetime.date(2999, 1, 1))
    poor = ArticleFactory(title="Readers dislike it")
    good = ArticleFactory(title="Readers like it")
    for n in range(6):
        reader = UserFactory(email=f"reader{n}@example.com")
        services.article_feedback_give(article=poor, user=reader, is_helpful=n == 0)
        services.article_feedback_give(article=good, user=reader, is_helpful=True)
    page = client_as(knowledge_editor).get(reverse("knowledge:desk-editor-queue")).content.decode()
    assert "Waiting for review" in page and "Past its date" in page
    assert "Readers dislike it" in page and "1 of 6" in page
    assert "Fresh" not in page and "Readers like it" not in page


# --- Portal -------------------------------------------------------------------------------


def test_the_portal_search_shows_highlighted_snippets(client_as, requester):
    ArticleFactory(title="Paper jam", summary="Clear a <b>false</b> paper jam.")
    page = client_as(requester).get(PORTAL, {"q": "paper jam"}).content.decode()
    assert "<mark>paper</mark>" in page.lower() or "<mark>Paper</mark>" in page
    assert "<b>false</b>" not in page


def test_the_portal_says_so_when_nothing_matches(client_as, requester):
    page = client_as(requester).get(PORTAL, {"q": "xylophone"}).content.decode()
    assert "No articles match your search" in page


@pytest.mark.parametrize(
    "attrs",
    [{"audience": "internal"}, {"status": "draft"}, {"status": "review"}, {"status": "retired"}],
)
def test_a_requester_gets_404_for_internal_or_unpublished_articles(client_as, requester, attrs):
    article = ArticleFactory(title="Hidden thing", **attrs)
    assert client_as(requester).get(portal_detail(article)).status_code == 404
    assert b"Hidden thing" not in client_as(requester).get(PORTAL, {"q": "hidden"}).content


def test_reading_counts_a_view_and_feedback_can_be_changed(client_as, requester):
    article = ArticleFactory(body="<img src=x onerror=alert(1)> **Bold**")
    client = client_as(requester)
    page = client.get(portal_detail(article)).content.decode()
    assert "onerror" not in page and "<strong>Bold</strong>" in page
    assert "Was this helpful?" in page
    client.post(portal_detail(article), {"is_helpful": "no", "comment": "Did not work"})
    client.post(portal_detail(article), {"is_helpful": "yes", "comment": ""})
    (feedback,) = ArticleFeedback.objects.filter(article=article)
    assert feedback.is_helpful is True
    article.refresh_from_db()
    assert article.view_count == 1


def test_the_portal_browse_page_shows_categories_with_counts_and_the_most_read(
    client_as, requester
):
    network = CategoryFactory(name="Network")
    vpn = CategoryFactory(name="VPN", parent=network)
    printing = CategoryFactory(name="Printing")
    CategoryFactory(name="Empty")
    ArticleFactory(title="Connect the VPN", category=vpn, view_count=50)
    ArticleFactory(title="Wi-Fi at the office", category=network, view_count=5)
    ArticleFactory(title="Clear a paper jam", category=printing, view_count=20)
    ArticleFactory(title="Internal router notes", category=network, audience="internal")
    ArticleFactory(title="Draft about printers", category=printing, status="draft")
    client = client_as(requester)

    page = client.get(PORTAL).content.decode()
    assert "Browse by category" in page
    assert '>Network</a> <span class="count" aria-label="2 articles">2</span>' in page
    assert '>Printing</a> <span class="count" aria-label="1 articles">1</span>' in page
    assert "Empty" not in page and "Internal router" not in page and "Draft about" not in page
    most_read = page[page.index('id="kb-top"') :]
    order = [most_read.index(t) for t in ("Connect the VPN", "Clear a paper jam", "Wi-Fi")]
    assert order == sorted(order)

    in_network = client.get(PORTAL, {"category": network.pk}).content.decode()
    assert '>VPN</a> <span class="count" aria-label="1 articles">1</span>' in in_network
    assert "Connect the VPN" in in_network and "Wi-Fi at the office" in in_network
    assert "Clear a paper jam" not in in_network
    assert client.get(PORTAL, {"category": "999999"}).status_code == 404


def test_the_portal_browse_page_has_an_empty_state(client_as, requester):
    ArticleFactory(title="Only a draft", status="draft")
    page = client_as(requester).get(PORTAL).content.decode()
    assert "No articles yet" in page and "Only a draft" not in page


@pytest.mark.parametrize("size", [2, 20])
def test_the_portal_browse_query_count_does_not_grow(
    client_as, requester, django_assert_num_queries, size
):
    category = CategoryFactory(name="Network")
    for i in range(size):
        article = ArticleFactory(category=category, view_count=i)
        services.article_feedback_give(article=article, user=requester, is_helpful=True)
    client = client_as(requester)
    # session, user, roles and permissions (2: the first request), categories, counts, most
    # read (feedback counts inline), major-incident banner
    with django_assert_num_queries(8):
        page = client.get(PORTAL)
    assert page.content.count(b"found this helpful") == min(size, 10)


def test_the_author_is_told_why_she_cannot_publish_and_who_can(
    client_as, knowledge_editor, reviewer, agent, draft
):
    UserFactory(
        email="ex@example.com",
        display_name="Ex Editor",
        is_active=False,
        roles=[Role.KNOWLEDGE_EDITOR],
    )
    services.article_transition(
        article=draft, actor=knowledge_editor, to_status="review", expected_version=1
    )
    page = client_as(knowledge_editor).get(detail(draft)).content.decode()
    notice = page[page.index('id="four-eyes"') :]
    notice = notice[: notice.index("</div>")]
    assert "You wrote this revision; another knowledge editor must review and publish it." in notice
    assert "Knowledge editors who can review and publish it: Rory Reviewer." in notice

    as_agent = client_as(agent).get(detail(draft)).content.decode()
    assert "You are not allowed to publish articles." in as_agent
    assert "Rory Reviewer" in as_agent

    as_reviewer = client_as(reviewer).get(detail(draft)).content.decode()
    assert 'id="four-eyes"' not in as_reviewer
    assert ">Publish</button>" in as_reviewer


def test_a_revised_article_shows_the_revision_at_the_desk_and_the_live_text_in_the_portal(
    client_as, knowledge_editor, requester, draft, publish
):
    article = publish(draft)
    client = client_as(knowledge_editor)
    client.post(
        reverse("knowledge:desk-article-transition", args=[article.number]),
        {"to_status": "draft", "version": article.version},
    )
    article.refresh_from_db()
    edit = reverse("knowledge:desk-article-edit", args=[article.number])
    form = client.get(edit).content.decode()
    assert "You are editing the revision" in form
    client.post(
        edit,
        {
            "title": article.title,
            "summary": article.summary,
            "body": "Install **Always-On VPN**.",
            "audience": "public",
            "version": article.version,
        },
    )
    desk = client.get(detail(article)).content.decode()
    assert "Revision: Draft" in desk and "Readers still see the published version" in desk
    assert "<strong>Always-On VPN</strong>" in desk
    assert ">Submit for review</button>" in desk and ">Discard revision</button>" in desk
    assert ">Retire</button>" not in desk

    portal = client_as(requester).get(portal_detail(article))
    assert portal.status_code == 200
    assert b"<strong>GlobalProtect</strong>" in portal.content
    assert b"Always-On" not in portal.content
