"""Reads of the portal pages. The portal shows several apps side by side, so it reads each one
through that app's own selectors (knowledge, catalog) and its access rules."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.db.models import Count, Q, QuerySet

from itsm.portal.models import Deflection
from knowledge.choices import ArticleStatus
from knowledge.models import Article
from knowledge.selectors import article_list_for_user, article_search
from tickets.catalog.selectors import catalog_item_list_for_browse
from tickets.choices import OPEN_STATUSES
from tickets.models import CatalogCategory, CatalogItem, Ticket

HOME_POPULAR_ARTICLES = 5
HOME_OPEN_TICKETS = 5
SEARCH_ARTICLES = 10
SEARCH_CATALOG_ITEMS = 10


def article_list_popular(*, user: Any, limit: int = HOME_POPULAR_ARTICLES) -> list[Article]:
    """The most read published articles `user` may read (a requester: public ones only; staff
    also see internal ones, but never drafts on the portal)."""
    return list(
        article_list_for_user(user)
        .filter(status=ArticleStatus.PUBLISHED)
        .only("number", "title", "summary", "view_count")
        .order_by("-view_count", "-published_at", "pk")[:limit]
    )


def catalog_category_list_with_counts() -> QuerySet[CatalogCategory]:
    """Catalog categories that hold at least one active item, with `item_count`."""
    return (
        CatalogCategory.objects.annotate(item_count=Count("items", filter=Q(items__is_active=True)))
        .filter(item_count__gt=0)
        .order_by("order", "name")
    )


def ticket_list_open_for_requester(*, user: Any, limit: int = HOME_OPEN_TICKETS) -> list[Ticket]:
    """The requester's own open tickets, newest first (served by ticket_requester_created)."""
    return list(
        Ticket.objects.filter(requester=user, status__in=OPEN_STATUSES)
        .only("number", "kind", "short_description", "status", "updated_at", "created_at")
        .order_by("-created_at")[:limit]
    )


def portal_home(*, user: Any) -> dict[str, Any]:
    """Everything the portal home shows apart from banners: three bounded queries."""
    return {
        "popular_articles": article_list_popular(user=user),
        "catalog_categories": list(catalog_category_list_with_counts()),
        "open_tickets": ticket_list_open_for_requester(user=user),
    }


class PortalSearchResults(TypedDict):
    articles: Sequence[Article]
    catalog_items: Sequence[CatalogItem]


def portal_search(*, user: Any, query: str) -> PortalSearchResults:
    """One search box, two kinds of answer: articles `user` may read (ranked, with a
    `headline`) and active catalog items whose name or description matches."""
    query = (query or "").strip()
    if not query:
        return {"articles": [], "catalog_items": []}
    items: list[CatalogItem] = list(
        catalog_item_list_for_browse(search=query)[:SEARCH_CATALOG_ITEMS]
    )
    return {
        "articles": article_search(user=user, query=query, limit=SEARCH_ARTICLES),
        "catalog_items": items,
    }


# --- Deflections (read by the dashboards) ---


@dataclass(frozen=True)
class ArticleDeflections:
    """A published article, the tickets it deflected in a period and its all-time views."""

    number: str
    title: str
    deflections: int
    views: int


def deflection_count_for_period(*, start: datetime, end: datetime) -> int:
    """Tickets requesters did not raise in [start, end) because an article solved it."""
    return Deflection.objects.filter(created_at__gte=start, created_at__lt=end).count()


def article_list_top_deflecting(
    *, start: datetime, end: datetime, limit: int
) -> list[ArticleDeflections]:
    """The published articles that deflected most tickets in [start, end), then the most
    read; one query (served by portal_deflection_article)."""
    period = Q(deflections__created_at__gte=start, deflections__created_at__lt=end)
    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .annotate(deflected=Count("deflections", filter=period))
        .order_by("-deflected", "-view_count", "id")
        .values_list("number", "title", "deflected", "view_count")[:limit]
    )
    return [
        ArticleDeflections(number=number, title=title, deflections=deflected, views=views)
        for number, title, deflected, views in rows
    ]
