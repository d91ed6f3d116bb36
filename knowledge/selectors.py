"""Reads of the knowledge base, each shaped for its page or endpoint.

Access is applied in one place, `article_list_for_user`: staff see every article, anyone
else sees published public articles only (DESIGN §5: only staff see internal articles).
"""

import datetime
import re
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connections
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import Role, user_is_staff_member
from itsm.audit.models import AuditEvent
from itsm.audit.selectors import audit_list_for_record
from itsm.core.sql import word_similarity_threshold
from knowledge.choices import ArticleAudience, ArticleStatus
from knowledge.models import (
    SEARCH_CONFIG,
    TITLE_VECTOR,
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleVersion,
    Category,
)
from knowledge.rendering import HEADLINE_START, HEADLINE_STOP

# "Poorly rated" for the editor queue: enough votes to mean something, most of them "no".
POOR_RATING_MIN_VOTES = 5
POOR_RATING_MAX_HELPFUL_SHARE = 0.5
# Trigram fallback: word_similarity(query, title) must reach this to count as a typo match.
TYPO_MIN_SIMILARITY = 0.5
# The top-N search ranks at most this many matches (see _top_ranked).
SEARCH_RANK_CANDIDATES = 2000
MAX_QUERY_LENGTH = 200
# The typo fallback compares at most this many titles over the similarity threshold.
TYPO_CANDIDATES = 300


def article_list_for_user(user: Any) -> QuerySet[Article]:
    """Every article `user` may read. Start every knowledge read from here."""
    articles = Article.objects.all()
    if not user_is_staff_member(user):
        articles = articles.filter(status=ArticleStatus.PUBLISHED, audience=ArticleAudience.PUBLIC)
    return articles


def article_list_for_browse(*, user: Any) -> QuerySet[Article]:
    """The desk list and the API list: one row per article, relations joined, services in
    one prefetch query, so the count of queries does not grow with the page size."""
    articles = (
        article_list_for_user(user)
        .select_related("category", "owner")
        .prefetch_related("services")
        .defer("search")
    )
    if user_is_staff_member(user):
        # Open revisions are unpublished text: staff only (DESIGN §5).
        articles = articles.select_related("revision__last_edited_by")
    return articles


class FeedbackCounts(TypedDict):
    helpful_count: int
    unhelpful_count: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    ArticleWithFeedback = WithAnnotations[Article, FeedbackCounts]


class SearchAnnotations(TypedDict):
    headline: str
    rank: float


if TYPE_CHECKING:
    ArticleSearchResult = WithAnnotations[Article, SearchAnnotations]


def _with_feedback_counts(articles: QuerySet[Article]) -> "QuerySet[ArticleWithFeedback]":
    return articles.annotate(
        helpful_count=Count("feedback", filter=Q(feedback__is_helpful=True), distinct=True),
        unhelpful_count=Count("feedback", filter=Q(feedback__is_helpful=False), distinct=True),
    )


def article_list_for_api(*, user: Any) -> QuerySet[Article]:
    """`article_list_for_browse` plus the feedback counts the API shows."""
    return _with_feedback_counts(article_list_for_browse(user=user))


def article_get_for_user(*, user: Any, number: str) -> Article:
    """One article for its detail page (desk or portal); DoesNotExist when `user` may not
    read it, so an internal or unpublished number answers 404 to a requester."""
    articles = _with_feedback_counts(article_list_for_browse(user=user)).select_related(
        "published_by", "last_edited_by"
    )
    if user_is_staff_member(user):
        articles = articles.select_related("revision__started_by")
    return articles.get(number=number)


def article_get_by_number_or_none(*, user: Any, number: str) -> Article | None:
    """An article `user` may read, by its number as given, or None."""
    return article_list_for_user(user).filter(number=number).first()


def article_get_for_api(*, user: Any, pk: int) -> Article:
    """An article the API just wrote, read again the way its list reads it."""
    return article_list_for_api(user=user).get(pk=pk)


def article_feedback_of(*, article: Article, user: Any) -> ArticleFeedback | None:
    """`user`'s own "was this helpful?" answer on `article`, or None."""
    return ArticleFeedback.objects.filter(article=article, user=user).first()


def article_revision_of(article: Article) -> ArticleRevision | None:
    """The open revision of `article` (joined by article_get_for_user), or None."""
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(article, "revision", None)


def article_reviewer_list(*, author_id: int | None) -> list[Any]:
    """Who may review and publish a text by `author_id`: the other active knowledge editors
    (four eyes, knowledge.workflow), by name."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.KNOWLEDGE_EDITOR)
        .exclude(pk=author_id or 0)
        .distinct()
        .order_by("display_name", "pk")
    )


def article_version_list(*, article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("published_by").order_by("-number")


def article_version_get(*, article: Article, number: int) -> ArticleVersion:
    """One published version of `article` (already checked readable) by its number, or 404."""
    return get_object_or_404(article_version_list(article=article), number=number)


def article_timeline(*, article: Article) -> list[AuditEvent]:
    return audit_list_for_record(record=article)


def category_get_for_browse(*, category_id: str) -> Category | None:
    """The category the portal's browse page was asked for (`?category=`, as typed), or
    None when there is no such category (or the text is not a number)."""
    if not category_id.isdigit():
        return None
    return Category.objects.filter(pk=category_id).first()


def category_with_descendants(category_id: int) -> list[int]:
    """The id of a category and of every category under it (the tree is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [category_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


# --- Portal browse ----------------------------------------------------------------------


def category_list_with_counts(*, user: Any, parent_id: int | None = None) -> list[Category]:
    """The categories directly under `parent_id` (None: the top level) that hold published
    articles `user` may read, each with `article_count` including its sub-categories'. Two queries
    whatever the size: counts per category, then the (small) tree rolled up in Python."""
    counts = (
        article_list_for_user(user)
        .filter(status=ArticleStatus.PUBLISHED, category__isnull=False)
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    categories = list(Category.objects.all())
    parent_of = {c.pk: c.parent_id for c in categories}
    totals: dict[int, int] = {}
    for category_id, n in counts:
        seen: set[int] = set()
        current: int | None = category_id
        while current is not None and current not in seen:  # `seen`: a cycle cannot hang us
            seen.add(current)
            totals[current] = totals.get(current, 0) + n
            current = parent_of.get(current)
    shown = [c for c in categories if c.parent_id == parent_id and totals.get(c.pk)]
    for category in shown:
        category.article_count = totals[category.pk]  # type: ignore[attr-defined]
    return shown


def article_list_most_read(
    *, user: Any, category_id: int | None = None, limit: int = 10
) -> list[Article]:
    """The articles `user` may read that readers open most (ties: the newest first), with
    their feedback counts, optionally within a category and its sub-categories."""
    articles = article_list_for_user(user).filter(status=ArticleStatus.PUBLISHED)
    if category_id is not None:
        articles = articles.filter(category_id__in=category_with_descendants(category_id))
    helpful = ArticleFeedback.objects.filter(article=OuterRef("pk"), is_helpful=True)
    # A correlated subquery, not a join and GROUP BY: Postgres evaluates it only for the
    # `limit` rows left after the sort, however many articles there are.
    return list(
        articles.defer("search", "body")
        .annotate(
            helpful_count=Subquery(
                helpful.order_by().values("article").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            )
        )
        .order_by("-view_count", "-published_at", "pk")[:limit]
    )


# --- Search ---------------------------------------------------------------------------


def _clean_query(query: str | None) -> str:
    # Postgres refuses NUL in text (psycopg raises before the query is sent), and nobody
    # types 200 characters into a search box on purpose.
    return (query or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")


def _headline(search_query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        Concat("summary", Value(" — "), "body", output_field=TextField()),
        search_query,
        config=SEARCH_CONFIG,
        start_sel=HEADLINE_START,
        stop_sel=HEADLINE_STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
    )


def _ranked_matches(articles: QuerySet[Article], search_query: SearchQuery) -> QuerySet[Article]:
    # SearchRank gets F("search"): given the bare field name it would rebuild an unweighted
    # vector and the A/B/C weights would be lost (DESIGN §9).
    return (
        articles.filter(search=search_query)
        .annotate(rank=SearchRank(F("search"), search_query))
        .order_by("-rank", "-published_at", "pk")
    )


def _typo_matches(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    # `title %> query` is served by the trigram GIN index on title, but only at pg_trgm's
    # word-similarity threshold (0.6 by default, too strict for "bitloker"). The threshold
    # is a per-connection setting and only this query uses the operator, so lowering it for
    # the connection changes nothing else.
    word_similarity_threshold(articles, TYPO_MIN_SIMILARITY)
    return (
        articles.filter(title__trigram_word_similar=query)
        .annotate(rank=TrigramWordSimilarity(query, "title"))
        .order_by("-rank", "pk")
    )


def _top_typo_matches(
    articles: QuerySet[Article], query: str, limit: int
) -> list[tuple[int, float]]:
    """(pk, similarity) of the `limit` titles closest to `query`, among at most
    TYPO_CANDIDATES titles over the threshold (same reasoning as _top_ranked)."""
    candidates = (
        _typo_matches(articles, query).order_by().values_list("pk", "title")[:TYPO_CANDIDATES]
    )
    inner_sql, inner_params = candidates.query.sql_with_params()
    sql = (
        "SELECT candidate.id, word_similarity(%s, candidate.title) AS rank"
        " FROM (" + inner_sql + ") AS candidate(id, title)"
        " ORDER BY rank DESC, candidate.id LIMIT %s"
    )
    with connections[articles.db].cursor() as cursor:
        cursor.execute(sql, [query, *inner_params, limit])
        return [(pk, rank) for pk, rank in cursor.fetchall()]


def _top_ranked(matches: QuerySet[Article], query: str, limit: int) -> list[tuple[int, float]]:
    """(pk, rank) of the best `limit` of `matches` among at most SEARCH_RANK_CANDIDATES.

    Ranking reads every candidate's tsvector from the heap. A word in most articles
    ("restart", "sign") would mean ranking tens of thousands of rows for a result that is
    noise anyway, so only the first SEARCH_RANK_CANDIDATES matches the index yields are
    ranked. Below that many matches (nearly every real query) the ranking is exact.
    Raw SQL because Django cannot select FROM a subquery; the inner query is the ORM's.
    """
    # No ORDER BY inside: any order would make Postgres sort (or walk) every match first.
    candidates = matches.order_by().values_list("pk", "search", "published_at")[
        :SEARCH_RANK_CANDIDATES
    ]
    inner_sql, inner_params = candidates.query.sql_with_params()
    sql = (
        "SELECT candidate.id, ts_rank(candidate.search, websearch_to_tsquery(%s::regconfig, %s))"
        " AS rank FROM (" + inner_sql + ") AS candidate(id, search, published_at)"
        " ORDER BY rank DESC, candidate.published_at DESC NULLS LAST, candidate.id LIMIT %s"
    )
    with connections[matches.db].cursor() as cursor:
        cursor.execute(sql, [SEARCH_CONFIG, query, *inner_params, limit])
        return [(pk, rank) for pk, rank in cursor.fetchall()]


def article_apply_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Full-text matches ranked by weight (title > summary > body), with a highlighted
    `headline`; when nothing matches, titles within typo distance, most similar first.
    For paginated lists (desk, API); `article_search` is the faster top-N variant."""
    query = _clean_query(query)
    if not query:
        return articles
    search_query = _search_query(query)
    matches = _ranked_matches(articles, search_query)
    if matches.exists():
        return matches.annotate(headline=_headline(search_query))
    return _typo_matches(articles, query).annotate(headline=F("summary"))


def article_search(
    *,
    user: Any,
    query: str,
    limit: int = 10,
    category: int | None = None,
    service: int | None = None,
) -> "list[ArticleSearchResult]":
    """Ranked articles `user` may read for `query`, each with `rank` and `headline`
    (raw, with \\x02/\\x03 around matches: render it with `knowledge.rendering.headline_html`
    or the `kb_headline` template filter). Used by the portal and, later, by tickets.

    Two steps: rank ids only (a narrow sort over every match), then load the `limit` winners
    with their headline. Carrying whole rows through the sort made common words 2-3× slower.
    """
    query = _clean_query(query)
    if not query:
        return []
    articles = article_list_for_user(user)
    if category:
        articles = articles.filter(category_id__in=category_with_descendants(category))
    if service:
        articles = articles.filter(services=service)
    search_query = _search_query(query)
    # Title matches outrank every other match (weight A = 1.0 against 0.4 and 0.2), so when
    # enough titles match, only they need ranking; otherwise rank every match.
    # (A title match is a match of the whole vector too: the title is part of it.)
    in_titles = articles.alias(title_vector=TITLE_VECTOR).filter(title_vector=search_query)
    ranked = _top_ranked(in_titles, query, limit)
    if len(ranked) < limit:
        # Merge rather than replace: past the candidate cap the second pass may not see
        # the title matches the first pass found.
        found = dict(ranked)
        found.update(_top_ranked(articles.filter(search=search_query), query, limit))
        ranked = sorted(found.items(), key=lambda item: -item[1])[:limit]
    headline: Any = _headline(search_query)
    if not ranked:
        ranked = _top_typo_matches(articles, query, limit)
        headline = F("summary")
    if not ranked:
        return []
    rows = (
        Article.objects.filter(pk__in=[pk for pk, _ in ranked])
        .select_related("category")
        .defer("search")
        .annotate(headline=headline)
        .in_bulk()
    )
    results: list[ArticleSearchResult] = []
    for pk, rank in ranked:
        # The rank comes from the ranking pass above, not from this query's columns.
        article = cast("ArticleSearchResult", rows[pk])
        article.rank = rank
        results.append(article)
    return results


# --- Editor queue -----------------------------------------------------------------------


def article_list_for_editor_queue(
    *, today: datetime.date | None = None
) -> dict[str, list[Article]]:
    """The three piles a knowledge editor works through: articles waiting for review,
    published articles past their review-by date, and published articles readers rate
    poorly (at least POOR_RATING_MIN_VOTES votes, under half of them "helpful")."""
    today = today or timezone.localdate()
    base = Article.objects.select_related("owner", "last_edited_by", "category").defer("search")
    # A published article whose revision is in review waits for a reviewer as well.
    in_review = base.filter(
        Q(status=ArticleStatus.REVIEW) | Q(revision__status=ArticleStatus.REVIEW)
    ).order_by("updated_at")
    stale = base.filter(status=ArticleStatus.PUBLISHED, review_by__lt=today).order_by("review_by")
    # Start from the feedback table (small, only rated articles) rather than grouping every
    # published article: the page stays cheap however large the knowledge base grows.
    poor_ids = (
        ArticleFeedback.objects.values("article")
        .annotate(votes=Count("pk"), helpful=Count("pk", filter=Q(is_helpful=True)))
        .filter(votes__gte=POOR_RATING_MIN_VOTES)
        .filter(helpful__lt=F("votes") * POOR_RATING_MAX_HELPFUL_SHARE)
        .values("article")
    )
    poorly_rated = (
        _with_feedback_counts(base.filter(status=ArticleStatus.PUBLISHED, pk__in=poor_ids))
        .annotate(votes=F("helpful_count") + F("unhelpful_count"))
        .order_by("helpful_count")
    )
    return {
        "in_review": list(in_review[:100]),
        "stale": list(stale[:100]),
        "poorly_rated": list(poorly_rated[:100]),
    }


def article_count_due_review(*, today: datetime.date | None = None) -> int:
    """Published articles past their review-by date (the editor queue's "stale" pile)."""
    today = today or timezone.localdate()
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, review_by__lt=today).count()


SUGGESTIONS = 5
SUGGEST_MIN_LENGTH = 3
SUGGEST_MAX_WORDS = 12
_WORD = re.compile(r"\w+")


def article_list_suggested(
    *, user: Any, text: str, limit: int = SUGGESTIONS
) -> "list[ArticleSearchResult]":
    """Articles to suggest while a requester describes an incident (deflection), on the
    portal's suggestions fragment and the re-displayed report form alike.

    A subject is a sentence, not a query: "Outlook password prompt" should find the article
    about Outlook passwords although it never says "prompt". So any word may match (websearch
    `or`), and ranking puts the articles that match more of the words first. The desk's
    ticket page asks for more than it shows (`limit`) and re-ranks them for the ticket
    (tickets.selectors.suggest).
    """
    words = _WORD.findall(text or "")[:SUGGEST_MAX_WORDS]
    if len("".join(words)) < SUGGEST_MIN_LENGTH:
        return []
    return article_search(user=user, query=" or ".join(words), limit=limit)
