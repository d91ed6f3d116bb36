import threading

import pytest
from django.db import connection

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import GuardFailed, PermissionRefused, StaleVersion
from knowledge import services
from knowledge.models import Article, ArticleFeedback

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


def test_each_publication_adds_a_version_and_restore_makes_a_new_draft(
    draft, publish, knowledge_editor, reviewer
):
    article = publish(draft)
    article = services.article_transition(
        article=article, actor=knowledge_editor, to_status="draft", expected_version=article.version
    )
    article = services.article_update(
        article=article,
        actor=knowledge_editor,
        expected_version=article.version,
        body="Use the new Always-On VPN instead.",
    )
    article = publish(article)
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]

    article = services.article_restore_version(
        article=article, version_number=1, actor=knowledge_editor, expected_version=article.version
    )
    assert article.status == "draft"
    assert article.body == draft.body
    assert article.last_edited_by == knowledge_editor
    article = publish(article)
    latest = article.versions.first()
    assert (latest.number, latest.body) == (3, draft.body)
    actions = list(AuditEvent.objects.filter(record_id=article.pk).values_list("action", flat=True))
    assert "restored" in actions and actions.count("status_changed") == 8


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
