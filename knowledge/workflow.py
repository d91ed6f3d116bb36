"""The article life cycle `draft → review → published → retired` as a table with guards.

Pure: no ORM writes; the walk is `itsm.core.workflow`'s. It answers "may this actor move this
article from A to B, and if not, why?" and lists the moves a page or the API may offer. Who
may move is a permission codename per move; guards read the actor from the context.
"""

from collections.abc import Mapping
from typing import Any

from itsm.core.exceptions import GuardFailed, PermissionRefused
from itsm.core.workflow import Lifecycle, Messages, Transition
from knowledge.choices import ArticleStatus as S

EDIT = "knowledge.change_article"
PUBLISH = "knowledge.publish_article"


def _has_text(article: Any, _context: Mapping[str, Any]) -> str | None:
    if not (article.title or "").strip() or not (article.body or "").strip():
        return "An article needs a title and a body before it can be reviewed."
    return None


def _reviewer_is_not_author(article: Any, context: Mapping[str, Any]) -> str | None:
    # Four eyes: whoever wrote the current text may not also approve it.
    actor = context["actor"]
    if article.last_edited_by_id is not None and article.last_edited_by_id == actor.pk:
        return "You wrote this revision; another knowledge editor must review and publish it."
    return None


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.REVIEW): Transition(
        "submit", "Submit for review", who=(EDIT,), guards=(_has_text,)
    ),
    (S.REVIEW, S.PUBLISHED): Transition(
        "publish", "Publish", who=(PUBLISH,), guards=(_has_text, _reviewer_is_not_author)
    ),
    (S.REVIEW, S.DRAFT): Transition("send_back", "Send back to draft", who=(EDIT,), backward=True),
    (S.PUBLISHED, S.DRAFT): Transition("revise", "Revise", who=(EDIT,)),
    (S.PUBLISHED, S.RETIRED): Transition("retire", "Retire", who=(PUBLISH,)),
    (S.RETIRED, S.DRAFT): Transition("revive", "Revive as draft", who=(EDIT,)),
}

LIFECYCLE = Lifecycle(
    noun="article",
    statuses=S,
    transitions=TRANSITIONS,
    messages=Messages(
        unknown="An article cannot go from {from_} to '{to}'.",
        no_move="An article cannot go from {from_} to {to}.",
        actor="You are not allowed to {label} articles.",
    ),
    actor_error=PermissionRefused,
    guard_error=GuardFailed,
)
transition_for = LIFECYCLE.transition_for


def check(article: Any, actor: Any, to_status: str) -> Transition:
    """The transition to take, or a DomainError saying why the actor may not take it."""
    return LIFECYCLE.check(article, to_status, may=actor.has_perm, context={"actor": actor})


def refusal(article: Any, actor: Any, to_status: str) -> str | None:
    """Why `actor` may not move `article` to `to_status`, or None when the move is allowed."""
    return LIFECYCLE.refusal(article, to_status, may=actor.has_perm, context={"actor": actor})


def allowed_transitions(article: Any, actor: Any) -> list[tuple[str, Transition]]:
    """The (to_status, transition) pairs the actor may take now, for buttons and the API.

    Unlike the other life cycles, every guard here reads only the article and the actor, so
    the page offers only the moves that would succeed."""
    return [
        (to_status, move)
        for to_status, move in LIFECYCLE.allowed(article, may=actor.has_perm)
        if refusal(article, actor, to_status) is None
    ]
