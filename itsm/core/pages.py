"""A plain paginated list page, for process records whose own workspace is still small."""

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

PAGE_SIZE = 50
# PostgreSQL's OFFSET is a bigint; a page past it is past every row anyway.
MAX_OFFSET = 2**62


def record_list_page(
    request: HttpRequest,
    *,
    queryset: QuerySet,
    title: str,
    columns: list[tuple[str, str]],
    empty_text: str,
) -> HttpResponse:
    """`columns` are (heading, attribute) pairs read from each record."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [[_cell(record, attr) for _, attr in columns] for record in page]
    return render(
        request,
        "components/record_list.html",
        {
            "title": title,
            "headings": [h for h, _ in columns],
            "rows": rows,
            "page": page,
            "empty_text": empty_text,
        },
    )


def _cell(record, attr: str):
    value = getattr(record, attr)
    return value() if callable(value) else value


class SeekPage:
    """A page of a large queryset without COUNT(*): fetches one row more to know if there is
    a next page. Queue pages over a million tickets stay fast at every page size. `read`
    turns the page's slice of the queryset into its rows (model objects unless it says
    otherwise)."""

    def __init__(
        self,
        queryset: QuerySet,
        *,
        number: str | int | None,
        size: int,
        read: Callable[[QuerySet], list[Any]] = list,
    ) -> None:
        try:
            self.number = max(1, int(number or 1))
        except ValueError:
            self.number = 1
        offset = (self.number - 1) * size
        # `?page=99999999999999999999` is an empty page, not an OFFSET the database refuses.
        rows = read(queryset[offset : offset + size + 1]) if offset <= MAX_OFFSET else []
        self.object_list = rows[:size]
        self.has_next = len(rows) > size
        self.has_previous = self.number > 1

    def __iter__(self):
        return iter(self.object_list)

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
