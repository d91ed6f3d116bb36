"""The polls behind live ticket pages and queues (tickets.live, static/js/live.js).

Each answer is tiny: one Redis round trip for a ticket page, answered before the session or
the user are read (LivePollMiddleware), 204 with no template when nothing changed; "paused"
(200, never an error page) when Redis cannot answer, so the page says so quietly and keeps
working.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from itsm.core.views import desk_view
from tickets import live
from tickets.queue_query import queue_view

PAUSED = {"paused": True}


_POLL_PATH = re.compile(r"^/desk/tickets/([A-Za-z0-9]{1,20})/live/$")
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def ticket_live_answer(request: HttpRequest, number: str) -> HttpResponse:
    """Who else is on the ticket's page, and whether it changed since version `v`.

    The page's token (X-Live-Token, tickets.live.poll_token) says who asks: the view that drew
    the page checked they are desk staff, and desk staff see every ticket. An expired or
    foreign token is a 403 {"expired": true}: the page then draws itself again through the
    ordinary view (which checks as always) and gets a new one."""
    number = number.upper()
    member = live.poll_token_member(request.headers.get("X-Live-Token", ""), number=number)
    if member is None:
        return JsonResponse({"expired": True}, status=403, headers=_NO_STORE)
    typing = request.GET.get("typing") == "1"
    beat = live.ticket_beat(number=number, member=member, typing=typing)
    if beat is None:
        return JsonResponse(PAUSED, headers=_NO_STORE)
    version = "" if beat.version is None else str(beat.version)
    # A version Redis has not heard of (it restarted) is no change: the page keeps its own.
    changed = bool(version) and version != request.GET.get("v")
    if not changed and beat.presence == request.GET.get("p"):
        return HttpResponse(status=204, headers=_NO_STORE)
    answer = {
        "version": beat.version,
        "changed": changed,
        "viewers": beat.viewers,
        "typing": beat.typing,
        "p": beat.presence,
    }
    return JsonResponse(answer, headers=_NO_STORE)


@require_GET
def ticket_live(request: HttpRequest, number: str) -> HttpResponse:
    """The poll, where LivePollMiddleware did not answer it first (it always does when it is
    in settings.MIDDLEWARE)."""
    return ticket_live_answer(request, number)


class LivePollMiddleware:
    """Answers the ticket page's poll before the rest of the middleware runs.

    A hundred open pages poll 33 times a second; through the whole stack (session, user,
    roles, the security and session bookkeeping) each poll cost 6.5 ms of a core, 21 % of one
    for 100 pages (bench/bench_live.py). The poll needs none of it: its token says who asks,
    and its answer is a version and names. First in settings.MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            match = _POLL_PATH.match(request.path_info)
            if match:
                return ticket_live_answer(request, match.group(1))
        return self.get_response(request)


@desk_view
@require_POST
def ticket_live_leave(request: HttpRequest, number: str) -> HttpResponse:
    """The page was closed (sent by the browser as it leaves)."""
    live.ticket_leave(number=number.upper()[:20], user=request.user)
    return HttpResponse(status=204)


@desk_view
@require_GET
def queue_live(request: HttpRequest) -> HttpResponse:
    """How many tickets of this queue view (the queue page's own query) are new or changed
    since `since` (the Unix time the page was drawn): 204 when none."""
    try:
        since = float(request.GET.get("since", ""))
    except ValueError:
        return JsonResponse({"since": ["Send the time the queue was drawn."]}, status=400)
    changed = live.changed_since(since)
    if changed is None:
        return JsonResponse(PAUSED)
    if not changed.ticket_ids:
        return HttpResponse(status=204)
    query = request.GET.copy()
    for name in ("since", "page"):
        query.pop(name, None)
    shown = queue_view(user=request.user, query=query)
    if shown.filter_errors:
        return HttpResponse(status=204)
    count = shown.tickets.filter(pk__in=changed.ticket_ids).order_by().count()
    if not count:
        return HttpResponse(status=204)
    return JsonResponse({"count": count, "more": changed.more})
