"""Facts that later apps add to the desk's article page.

`knowledge` sits below `tickets` in the one-way app order and cannot import it, yet the
article page shows how many tickets an article helped with. As with `tickets/panels.py`,
the later app hands its figure down: it registers a fact here from its `AppConfig.ready()`,
and the article view asks every registered fact for its value in one place, so the
template runs no queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.models import Article


@dataclass(frozen=True)
class ArticleFact:
    """One line of the article page's facts list: `value` returns what to show, or None to
    leave the line out."""

    name: str
    label: str
    value: Callable[..., object | None]
    order: int = 100


@dataclass(frozen=True)
class FactOnPage:
    label: str
    value: object


_FACTS: dict[str, ArticleFact] = {}


def article_fact_register(fact: ArticleFact) -> None:
    """Add (or replace, by name: `ready()` can run more than once) an article-page fact."""
    _FACTS[fact.name] = fact


def article_facts_for(*, article: "Article", user: Any) -> list[FactOnPage]:
    """The registered facts about `article` for `user`, in their order, values computed."""
    shown = []
    for fact in sorted(_FACTS.values(), key=attrgetter("order")):
        value = fact.value(article=article, user=user)
        if value is not None:
            shown.append(FactOnPage(label=fact.label, value=value))
    return shown
