"""The article life cycle `draft → review → published → retired` as a table with guards.

Pure: no ORM writes. It answers "may this actor move this article from A to B, and if not,
why?" and lists the moves a page or the API may offer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from itsm.core.exceptions import DomainError, GuardFailed, PermissionRefused, TransitionNotAllowed
from knowledge.choices import ArticleStatus as S

Guard = Callable[[Any, Any], str | None]


def _has_text(article: Any, _actor: Any) -> str | None:
    if not (article.title or "").strip() or not (article.body or "").strip():
        return "An article needs a title and a body before it can be reviewed."
    return None


def _reviewer_is_not_author(article: Any, actor: Any) -> str | None:
    # Four eyes: whoever wrote the current text may not also approve it.
    if article.last_edited_by_id is not None and article.last_edited_by_id == actor.pk:
        return "You wrote this revision; another knowledge editor must review and publish it."
    return None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    permission: str
    guards: tuple[Guard, ...] = field(default_factory=tuple)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.REVIEW): Transition(
        "submit", "Submit for review", "knowledge.change_article", (_has_text,)
    ),
    (S.REVIEW, S.DRAFT): Transition("send_back", "Send back to draft", "knowledge.change_article"),
    (S.REVIEW, S.PUBLISHED): Transition(
        "publish", "Publish", "knowledge.publish_article", (_has_text, _reviewer_is_not_author)
    ),
    (S.PUBLISHED, S.DRAFT): Transition("revise", "Revise", "knowledge.change_article"),
    (S.PUBLISHED, S.RETIRED): Transition("retire", "Retire", "knowledge.publish_article"),
    (S.RETIRED, S.DRAFT): Transition("revive", "Revive as draft", "knowledge.change_article"),
}


def transition_for(from_status: str, to_status: str) -> Transition | None:
    return TRANSITIONS.get((from_status, to_status))


def check(article: Any, actor: Any, to_status: str) -> Transition:
    """The transition to take, or a DomainError saying why the actor may not take it."""
    transition = transition_for(article.status, to_status)
    if transition is None:
        raise TransitionNotAllowed(
            f"An article cannot go from {S(article.status).label} to {_label(to_status)}.",
            field="to_status",
        )
    if not actor.has_perm(transition.permission):
        raise PermissionRefused(f"You are not allowed to {transition.label.lower()} articles.")
    for guard in transition.guards:
        if message := guard(article, actor):
            raise GuardFailed(message)
    return transition


def refusal(article: Any, actor: Any, to_status: str) -> str | None:
    """Why `actor` may not move `article` to `to_status`, or None when the move is allowed."""
    try:
        check(article, actor, to_status)
    except DomainError as exc:
        return exc.message
    return None


def _label(status: str) -> str:
    return S(status).label if status in S.values else repr(status)


def allowed_transitions(article: Any, actor: Any) -> list[tuple[str, Transition]]:
    """The (to_status, transition) pairs the actor may take now, for buttons and the API."""
    return [
        (to_status, transition)
        for (from_status, to_status), transition in TRANSITIONS.items()
        if from_status == article.status and refusal(article, actor, to_status) is None
    ]
