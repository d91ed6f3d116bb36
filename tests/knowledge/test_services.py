import threading

import pytest
from django.db import connection

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import GuardFailed, PermissionRefused, StaleVersion
from knowledge import selectors, services
from knowledge.models import Article, ArticleFeedback, ArticleRevision

pytestmark = pytest.mark.django_db


def test_creating_an_article_numbers_it_from_the_sequence_and_audits_it(draft, knowledge_editor):
    assert draft.number.startswith("KB") and len(draft.number) == 9
    assert draft.status == "draft"
    assert draft.last_edited_by == knowledge_editor
    assert AuditEvent.objects.filter(record_id=draft.pk, action="created").exists()


def test_an_agent_can_write_a_draft(agent):
    article = services.article_create(actor=agent, title="Printer jam", body="Open tray 2.")
    assert article.status == "draft"


def test_a_requester_cannot_write_an_article(requester):
    with pytest.raises(PermissionRefused):
        services.article_create(actor=requester, title="x", body="y")


def test_publishing_freezes_the_text_as_version_one(draft, publish, reviewer):
    article = publish(draft)
    assert article.status == "published"
    assert article.published_by == reviewer
    assert article.review_by is not None
    (version,) = article.versions.all()
    assert (version.number, version.title, version.body) == (1, draft.title, draft.body)
    assert version.published_by == reviewer


def test_the_author_cannot_publish_their_own_revision(draft, knowledge_editor):
    article = services.article_transition(
        article=draft, actor=knowledge_editor, to_status="review", expected_version=1
    )
    with pytest.raises(GuardFailed):
        services.article_transition(
            article=article, actor=knowledge_editor, to_status="published", expected_version=2
        )
    article.refresh_from_db()
    assert article.status == "review"
    assert article.versions.count() == 0


def test_a_stale_version_is_refused_and_nothing_changes(draft, knowledge_editor):
    services.article_update(
        article=draft, actor=knowledge_editor, expected_version=1, title="Second title"
    )
    with pytest.raises(StaleVersion) as caught:
        services.article_update(
            article=draft, actor=knowledge_editor, expected_version=1, title="Lost update"
        )
    assert caught.value.current_version == 2
    draft.refresh_from_db()
    assert draft.title == "Second title"


def test_a_published_text_cannot_be_edited_until_revised(draft, publish, knowledge_editor):
    article = publish(draft)
    with pytest.raises(GuardFailed, match="revise it first"):
        services.article_update(
            article=article, actor=knowledge_editor, expected_version=article.version, body="x"
        )
    article = services.article_update(
        article=article,
        actor=knowledge_editor,
        expected_version=article.version,
        tags=["vpn"],
    )
    assert article.tags == ["vpn"] and article.status == "published"


def _revise(article, actor):
    return services.article_transition(
        article=article, actor=actor, to_status="draft", expected_version=article.version
    )


def test_revising_keeps_the_published_text_live_until_the_revision_is_published(
    draft, publish, knowledge_editor, reviewer, requester
):
    article = publish(draft)
    article = _revise(article, knowledge_editor)
    assert article.status == "published"
    article = services.article_update(
        article=article,
        actor=knowledge_editor,
        expected_version=article.version,
        title="Connect with Always-On VPN",
        body="Use the new Always-On VPN instead.",
    )
    revision = ArticleRevision.objects.get(article=article)
    assert (revision.status, revision.body) == ("draft", "Use the new Always-On VPN instead.")
    assert revision.last_edited_by == knowledge_editor

    # While it is drafted and reviewed, readers get the published text, in search too.
    article = services.article_transition(
        article=article,
        actor=knowledge_editor,
        to_status="review",
        expected_version=article.version,
    )
    live = selectors.article_get_for_user(user=requester, number=article.number)
    assert (live.status, live.body) == ("published", draft.body)
    found = selectors.article_search(user=requester, query="GlobalProtect")
    assert [a.number for a in found] == [article.number]

    article = services.article_transition(
        article=article, actor=reviewer, to_status="published", expected_version=article.version
    )
    assert not ArticleRevision.objects.filter(article=article).exists()
    live = selectors.article_get_for_user(user=requester, number=article.number)
    assert (live.title, live.body) == ("Connect with Always-On VPN", revision.body)
    assert live.last_edited_by == knowledge_editor and live.published_by == reviewer
    versions = list(article.versions.values_list("number", "body"))
    assert versions == [(2, revision.body), (1, draft.body)]
    assert [a.number for a in selectors.article_search(user=requester, query="Always-On")] == [
        article.number
    ]


def test_the_author_of_a_revision_cannot_publish_it(draft, publish, knowledge_editor, reviewer):
    article = _revise(publish(draft), reviewer)
    article = services.article_update(
        article=article, actor=reviewer, expected_version=article.version, body="Reviewer's text"
    )
    article = services.article_transition(
        article=article, actor=reviewer, to_status="review", expected_version=article.version
    )
    with pytest.raises(GuardFailed, match="another knowledge editor"):
        services.article_transition(
            article=article, actor=reviewer, to_status="published", expected_version=article.version
        )
    article = services.article_transition(
        article=article,
        actor=knowledge_editor,
        to_status="published",
        expected_version=article.version,
    )
    assert article.body == "Reviewer's text"


def test_an_open_revision_blocks_retiring_and_discarding_it_keeps_the_live_text(
    draft, publish, knowledge_editor
):
    article = _revise(publish(draft), knowledge_editor)
    article = services.article_update(
        article=article, actor=knowledge_editor, expected_version=article.version, body="Half done"
    )
    with pytest.raises(GuardFailed, match="publish or discard it"):
        services.article_transition(
            article=article,
            actor=knowledge_editor,
            to_status="retired",
            expected_version=article.version,
        )
    article = services.article_revision_discard(
        article=article, actor=knowledge_editor, expected_version=article.version
    )
    assert not ArticleRevision.objects.filter(article=article).exists()
    article.refresh_from_db()
    assert (article.status, article.body) == ("published", draft.body)
    actions = AuditEvent.objects.filter(record_id=article.pk).values_list("action", flat=True)
    assert {"revision_started", "revision_discarded"} <= set(actions)


def test_each_publication_adds_a_version_and_restore_makes_a_new_revision(
    draft, publish, knowledge_editor, reviewer
):
    article = publish(draft)
    article = _revise(article, knowledge_editor)
    article = services.article_update(
        article=article,
        actor=knowledge_editor,
        expected_version=article.version,
        body="Use the new Always-On VPN instead.",
    )
    article = publish(article, submitter=knowledge_editor)
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]

    article = services.article_restore_version(
        article=article, version_number=1, actor=knowledge_editor, expected_version=article.version
    )
    article.refresh_from_db()
    revision = ArticleRevision.objects.get(article=article)
    assert article.status == "published" and article.body == "Use the new Always-On VPN instead."
    assert (revision.status, revision.body) == ("draft", draft.body)
    assert revision.last_edited_by == knowledge_editor
    article = publish(article, submitter=knowledge_editor)
    latest = article.versions.first()
    assert (latest.number, latest.body) == (3, draft.body)
    actions = list(AuditEvent.objects.filter(record_id=article.pk).values_list("action", flat=True))
    assert "restored" in actions and actions.count("status_changed") == 2
    assert actions.count("revision_status_changed") == 4


def test_restoring_into_a_revision_in_review_sends_it_back_to_draft(
    draft, publish, knowledge_editor
):
    article = _revise(publish(draft), knowledge_editor)
    article = services.article_transition(
        article=article,
        actor=knowledge_editor,
        to_status="review",
        expected_version=article.version,
    )
    services.article_restore_version(
        article=article, version_number=1, actor=knowledge_editor, expected_version=article.version
    )
    assert ArticleRevision.objects.get(article=article).status == "draft"


def test_feedback_is_one_per_user_and_can_be_changed(draft, publish, requester):
    article = publish(draft)
    services.article_feedback_give(article=article, user=requester, is_helpful=False)
    services.article_feedback_give(
        article=article, user=requester, is_helpful=True, comment="Worked after a restart"
    )
    (feedback,) = ArticleFeedback.objects.filter(article=article)
    assert feedback.is_helpful is True and feedback.comment == "Worked after a restart"


@pytest.mark.django_db(transaction=True)
def test_view_counts_from_concurrent_readers_are_never_lost(knowledge_editor):
    article = services.article_create(actor=knowledge_editor, title="Wi-Fi", body="Join Corp.")

    def read_many():
        for _ in range(25):
            services.article_record_view(article=article)
        connection.close()

    threads = [threading.Thread(target=read_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    article.refresh_from_db()
    assert article.view_count == 100
    assert article.version == 1


def test_updating_services_is_audited(draft, knowledge_editor):
    from tests.factories.cmdb import ServiceFactory

    vpn = ServiceFactory(name="VPN")
    services.article_update(
        article=draft, actor=knowledge_editor, expected_version=1, services=[vpn]
    )
    event = AuditEvent.objects.filter(record_id=draft.pk, action="updated").get()
    assert event.changes["services"] == {"from": [], "to": ["VPN"]}  # names, not ids
    assert list(Article.objects.get(pk=draft.pk).services.all()) == [vpn]
