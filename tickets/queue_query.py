"""The queue as the agent sees it: a query string (queue, filters, search, sort) → the
filtered, sorted tickets. The queue page, its export and the API's export read it here, so an
export holds exactly the rows the page shows, in the same order."""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.http import QueryDict

from tickets import selectors
from tickets.filtersets import TicketFilterSet
from tickets.models import Ticket

SORTABLE = {
    "number",
    "priority",
    "status",
    "created_at",
    "updated_at",
    "short_description",
    "sla_due",
}
RELEVANCE = "relevance"


@dataclass(frozen=True)
class QueueView:
    filterset: TicketFilterSet
    # A filter value that no longer exists (a deleted team, an edited address), named.
    filter_errors: list[str]
    tickets: QuerySet[Ticket]
    # The sort as shown in the headers ("-created_at", "relevance", …).
    sort: str


def queue_sort(query: QueryDict) -> str:
    # A search lists its best matches first unless a column was chosen.
    default = RELEVANCE if query.get("q", "").strip() else "-created_at"
    sort = query.get("sort") or default
    if sort == RELEVANCE:
        return default
    return sort if sort.lstrip("-") in SORTABLE else "-created_at"


def queue_view(*, user: Any, query: QueryDict) -> QueueView:
    """The tickets of the queue named in `query` (or all visible ones), narrowed by its
    filters and sorted as its headers say; none at all when a filter cannot be applied (the
    list stays empty rather than silently ignoring that filter)."""
    filterset = TicketFilterSet(
        query,
        queryset=selectors.ticket_list_for_desk_queue(user=user, queue=query.get("queue") or ""),
    )
    filter_errors = [
        f"{filterset.form.fields[name].label}: {' '.join(errors)}"
        for name, errors in filterset.form.errors.items()
    ]
    tickets = filterset.qs.none() if filter_errors else filterset.qs
    sort = queue_sort(query)
    ordering: Any = sort
    if sort == RELEVANCE:
        tickets = selectors.ticket_list_by_relevance(tickets=tickets, text=query.get("q", ""))
    elif sort.lstrip("-") == "sla_due":
        ordering = (
            F("sla_due_at").desc(nulls_last=True)
            if sort.startswith("-")
            else F("sla_due_at").asc(nulls_last=True)
        )
    if sort != RELEVANCE:
        tickets = tickets.order_by(ordering, "-id")
    return QueueView(filterset=filterset, filter_errors=filter_errors, tickets=tickets, sort=sort)
