import pytest

from itsm.accounts.roles import Role
from knowledge import services
from tests.factories.accounts import UserFactory


@pytest.fixture
def reviewer(db):
    """A second knowledge editor: reviews and publishes what `knowledge_editor` writes."""
    return UserFactory(
        email="rory@example.com", display_name="Rory Reviewer", roles=[Role.KNOWLEDGE_EDITOR]
    )


@pytest.fixture
def publish(reviewer):
    """publish(article) → the article taken through review and published by `reviewer`."""

    def run(article, *, submitter=None):
        submitter = submitter or article.last_edited_by
        article = services.article_transition(
            article=article, actor=submitter, to_status="review", expected_version=article.version
        )
        return services.article_transition(
            article=article, actor=reviewer, to_status="published", expected_version=article.version
        )

    return run


@pytest.fixture
def draft(knowledge_editor):
    return services.article_create(
        actor=knowledge_editor,
        title="Connect to the VPN from home",
        summary="Install the client and sign in with your company account.",
        body="1. Install **GlobalProtect**.\n2. Sign in.\n",
    )
