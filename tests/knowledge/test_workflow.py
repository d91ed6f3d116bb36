"""The article life cycle table, walked pair by pair (pure: no database)."""

import itertools
from dataclasses import dataclass, field

import pytest

from itsm.core.exceptions import GuardFailed, PermissionRefused, TransitionNotAllowed
from knowledge import workflow
from knowledge.choices import ArticleStatus as S

ALLOWED = {
    (S.DRAFT, S.REVIEW),
    (S.REVIEW, S.DRAFT),
    (S.REVIEW, S.PUBLISHED),
    (S.PUBLISHED, S.DRAFT),
    (S.PUBLISHED, S.RETIRED),
    (S.RETIRED, S.DRAFT),
}


@dataclass
class Actor:
    pk: int
    perms: set = field(
        default_factory=lambda: {"knowledge.change_article", "knowledge.publish_article"}
    )

    def has_perm(self, perm: str) -> bool:
        return perm in self.perms


@dataclass
class Draft:
    status: str
    title: str = "Reset your password"
    body: str = "Open the self-service page."
    last_edited_by_id: int | None = 1


AUTHOR = Actor(pk=1)
REVIEWER = Actor(pk=2)


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(S.values, S.values)))
def test_every_pair_of_statuses_is_allowed_or_refused_as_the_table_says(from_status, to_status):
    refusal = workflow.refusal(Draft(status=from_status), REVIEWER, to_status)
    if (from_status, to_status) in ALLOWED:
        assert refusal is None
    else:
        assert refusal is not None
        with pytest.raises(TransitionNotAllowed):
            workflow.check(Draft(status=from_status), REVIEWER, to_status)


def test_the_author_of_a_revision_cannot_publish_it():
    with pytest.raises(GuardFailed, match="another knowledge editor"):
        workflow.check(Draft(status=S.REVIEW), AUTHOR, S.PUBLISHED)


def test_a_different_editor_can_publish_it():
    assert workflow.check(Draft(status=S.REVIEW), REVIEWER, S.PUBLISHED).name == "publish"


def test_publishing_needs_the_publish_permission():
    agent = Actor(pk=3, perms={"knowledge.change_article"})
    with pytest.raises(PermissionRefused):
        workflow.check(Draft(status=S.REVIEW), agent, S.PUBLISHED)


def test_an_agent_may_submit_a_draft_for_review():
    agent = Actor(pk=1, perms={"knowledge.change_article"})
    assert workflow.check(Draft(status=S.DRAFT), agent, S.REVIEW).name == "submit"


def test_an_empty_body_cannot_go_to_review():
    with pytest.raises(GuardFailed, match="title and a body"):
        workflow.check(Draft(status=S.DRAFT, body="  "), AUTHOR, S.REVIEW)


def test_an_unknown_status_is_refused_with_a_readable_message():
    assert "'bogus'" in workflow.refusal(Draft(status=S.DRAFT), AUTHOR, "bogus")


def test_allowed_transitions_lists_only_the_moves_the_actor_may_take():
    moves = [to for to, _ in workflow.allowed_transitions(Draft(status=S.REVIEW), AUTHOR)]
    assert moves == [S.DRAFT]
    moves = [to for to, _ in workflow.allowed_transitions(Draft(status=S.REVIEW), REVIEWER)]
    assert sorted(moves) == sorted([S.DRAFT, S.PUBLISHED])
