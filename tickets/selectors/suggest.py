"""What the desk's ticket page suggests without anyone typing (issue #18): knowledge articles
for the ticket, and similar tickets — open ones, and ones resolved lately with the notes of
how they were resolved.

Articles come from the portal's own search (`knowledge.selectors.article_list_suggested`,
any word of the ticket may match, more matching words rank higher), re-ranked for the
ticket: an article on the ticket's service, and one that agents linked to the similar
tickets, moves up. Similar tickets are ranked by the ticket search's weighted vector
(tickets.selectors.search: subject above description), looked for among a bounded window —
the newest open tickets and the most recently resolved ones — so a ticket whose words are in
a tenth of a million tickets costs what a rare one does (DESIGN §9, §11). Both are measured
on a labelled set: `manage.py suggest_eval` (tests/fixtures/suggest_eval.json).
"""

import datetime
import re
from typing import Any

from django.db import connection
from django.http import Http404
from django.utils import timezone

from itsm.core.permissions import require_permission
from knowledge.choices import ArticleStatus
from knowledge.models import Article
from knowledge.selectors import article_list_for_user, article_list_suggested
from tickets import permissions as may
from tickets.choices import OPEN_STATUSES, TicketStatus
from tickets.models import SEARCH_CONFIG, Ticket, TicketArticleLink

# Similar tickets are looked for among the newest this-many open tickets and as many of the
# most recently resolved ones (resolved within RESOLVED_WITHIN).
SIMILAR_WINDOW = 1000
RESOLVED_WITHIN = datetime.timedelta(days=90)
SIMILAR_SHOWN = 5
# A ticket on the same service is a likelier duplicate: this much is added to its rank.
SIMILAR_SAME_SERVICE = 0.1
# The portal search is asked for this many articles, re-ranked here, SUGGESTED_SHOWN shown.
ARTICLE_CANDIDATES = 10
SUGGESTED_SHOWN = 5
# Added to an article's (0..1, relative to the best match) text score: on the ticket's
# service; linked by agents to similar tickets (scaled by how similar those tickets are).
ARTICLE_SAME_SERVICE = 0.25
ARTICLE_LINKED_TO_SIMILAR = 0.5
# The ticket's words that make the search: the subject first, then its category, then the
# description; words Postgres would drop anyway are left out so they take no place.
TICKET_WORDS = 16
_WORD = re.compile(r"\w+")
_FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doesn",
        "for",
        "from",
        "get",
        "got",
        "has",
        "have",
        "having",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "please",
        "hi",
        "hello",
        "thanks",
        "regards",
        "since",
    ]
)


def _words(*texts: str, limit: int = TICKET_WORDS) -> list[str]:
    """The distinct words of `texts` in order, filler left out, at most `limit`."""
    seen: dict[str, str] = {}
    for text in texts:
        for word in _WORD.findall(text or ""):
            key = word.lower()
            if key not in _FILLER and not key.isdigit() and key not in seen:
                seen[key] = word
    return list(seen.values())[:limit]


def _ticket_text(ticket: Ticket) -> list[str]:
    categories = [c.name for c in (ticket.category, ticket.subcategory) if c is not None]
    return _words(ticket.short_description, *categories, ticket.description)


def _require_desk(user: Any) -> None:
    require_permission(user, may.VIEW, refusal="Suggestions are for the service desk.")


def ticket_get_for_suggestions(*, user: Any, number: str) -> Ticket:
    """The ticket the suggestion panels are for, with the categories its words include;
    404 when `user` may not see it (as ticket_get_for_user)."""
    try:
        return (
            Ticket.objects.visible_to(user)
            .select_related("category", "subcategory")
            .defer("search")
            .get(number=number.upper())
        )
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def _top_similar(*, ticket: Ticket, words: list[str]) -> list[tuple[int, float]]:
    """(pk, score) of the best SIMILAR_SHOWN tickets of the window, in one pass over it.

    The window's rows are read once, with their stored vector, and matched and ranked as
    they come: looking them up again by id (`pk IN (window)`) doubled the heap reads. Raw
    SQL because Django cannot select FROM a subquery; the two window walks are the ORM's,
    each served by its index (ticket_open_created, ticket_resolved_any).
    """
    columns = ("pk", "search", "service_id", "duplicate_of_id")
    newest_open = (
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .order_by("-created_at")
        .values_list(*columns)[:SIMILAR_WINDOW]
    )
    lately_resolved = (
        Ticket.objects.filter(
            resolved_at__gte=timezone.now() - RESOLVED_WITHIN,
            status__in=(TicketStatus.RESOLVED, TicketStatus.CLOSED),
        )
        .order_by("-resolved_at")
        .values_list(*columns)[:SIMILAR_WINDOW]
    )
    open_sql, open_params = newest_open.query.sql_with_params()
    resolved_sql, resolved_params = lately_resolved.query.sql_with_params()
    sql = (
        "SELECT candidate.id, ts_rank(candidate.search, q.query)"
        " + CASE WHEN candidate.service_id = %s THEN %s ELSE 0 END AS score"
        f" FROM (({open_sql}) UNION ALL ({resolved_sql}))"
        " AS candidate(id, search, service_id, duplicate_of_id),"
        " websearch_to_tsquery(%s::regconfig, %s) AS q(query)"
        " WHERE candidate.search @@ q.query AND candidate.id <> %s"
        " AND candidate.duplicate_of_id IS NULL"
        " ORDER BY score DESC, candidate.id DESC LIMIT %s"
    )
    params = [
        ticket.service_id or 0,
        SIMILAR_SAME_SERVICE,
        *open_params,
        *resolved_params,
        SEARCH_CONFIG,
        " or ".join(words),
        ticket.pk or 0,
        SIMILAR_SHOWN,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def ticket_list_similar(*, ticket: Ticket, user: Any) -> list[Ticket]:
    """Up to SIMILAR_SHOWN open or recently resolved tickets most like `ticket`, best first,
    each with `score`. Two queries: the window matched and ranked (`_top_similar`), then
    the winners' rows."""
    _require_desk(user)
    words = _words(ticket.short_description, ticket.description)
    if not words:
        return []
    ranked = _top_similar(ticket=ticket, words=words)
    if not ranked:
        return []
    rows = (
        Ticket.objects.visible_to(user)
        .only(
            "number",
            "short_description",
            "status",
            "resolution_code",
            "resolution_notes",
            "resolved_at",
            "created_at",
            "version",
            "service_id",
        )
        .in_bulk([pk for pk, _ in ranked])
    )
    similar = []
    for pk, score in ranked:
        if pk in rows:
            rows[pk].score = score  # type: ignore[attr-defined]
            similar.append(rows[pk])
    return similar


def article_list_suggested_for_ticket(
    *, ticket: Ticket, user: Any, similar: list[Ticket] | None = None
) -> list[Article]:
    """Up to SUGGESTED_SHOWN published articles for `ticket`, best first, each with `score`
    and `reasons` (why it is suggested, for the agent). Articles already linked to the ticket
    are left out: the page lists them. `similar` is `ticket_list_similar`'s answer when the
    caller has it."""
    _require_desk(user)
    if similar is None:
        # Only their ids and scores are needed here: one query, not ticket_list_similar's two.
        words = _words(ticket.short_description, ticket.description)
        scores = dict(_top_similar(ticket=ticket, words=words)) if words else {}
    else:
        scores = {t.pk: float(getattr(t, "score", 0.0)) for t in similar}
    found = article_list_suggested(
        user=user, text=" ".join(_ticket_text(ticket)), limit=ARTICLE_CANDIDATES
    )
    text_score: dict[int, float] = {}
    best = max((a.rank for a in found), default=0.0) or 1.0
    articles: dict[int, Article] = {}
    for match in found:
        articles[match.pk] = match
        text_score[match.pk] = match.rank / best
    # What agents linked: to the similar tickets (a vote each, worth the ticket's
    # similarity) and to this ticket (shown on the page already, so left out here).
    top_similar = max(scores.values(), default=0.0) or 1.0
    similarity = {pk: score / top_similar for pk, score in scores.items()}
    linked_here: set[int] = set()
    votes: dict[int, float] = {}
    for article_id, ticket_id in TicketArticleLink.objects.filter(
        ticket_id__in=[ticket.pk, *similarity]
    ).values_list("article_id", "ticket_id"):
        if ticket_id == ticket.pk:
            linked_here.add(article_id)
        else:
            votes[article_id] = votes.get(article_id, 0.0) + similarity[ticket_id]
    missing = set(votes) - set(articles)
    if missing:
        for linked in article_list_for_user(user).filter(pk__in=missing).defer("search", "body"):
            articles[linked.pk] = linked
    on_service: set[int] = set()
    if ticket.service_id and articles:
        on_service = set(
            Article.services.through.objects.filter(
                article_id__in=list(articles), service_id=ticket.service_id
            ).values_list("article_id", flat=True)
        )
    shown: list[Article] = []
    for pk, article in articles.items():
        if pk in linked_here or article.status != ArticleStatus.PUBLISHED:
            continue
        reasons = []
        if pk in text_score:
            reasons.append("matches the ticket's words")
        if pk in on_service:
            reasons.append("on this service")
        if pk in votes:
            reasons.append("linked to similar tickets")
        article.score = (  # type: ignore[attr-defined]
            text_score.get(pk, 0.0)
            + ARTICLE_SAME_SERVICE * (pk in on_service)
            + ARTICLE_LINKED_TO_SIMILAR * min(votes.get(pk, 0.0), 1.0)
        )
        article.reasons = reasons  # type: ignore[attr-defined]
        shown.append(article)
    shown.sort(key=lambda a: (-a.score, a.number))  # type: ignore[attr-defined]
    return shown[:SUGGESTED_SHOWN]
