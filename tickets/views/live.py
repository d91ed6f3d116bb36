"""The polls behind live ticket pages and queues (tickets.live, static/js/live.js).

Each answer is tiny: one Redis round trip for a ticket page, 204 with no template when
nothing changed; "paused" (200, never an error page) when Redis cannot answer, so the page
says so quietly and keeps working.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from itsm.core.views import desk_view
from tickets import live
from tickets.queue_query import queue_view

PAUSED = {"paused": True}


@desk_view
@require_GET
def ticket_live(request: HttpRequest, number: str) -> HttpResponse:
    """Who else is on the ticket's page, and whether it changed since version `v`.

    Desk staff see every ticket (Ticket.objects.visible_to), so the number is all it needs;
    a number with no ticket simply never changes. The page then fetches itself again through
    the ordinary ticket view, which checks as it always does."""
    number = number.upper()[:20]
    beat = live.ticket_beat(
        number=number, user=request.user, typing=request.GET.get("typing") == "1"
    )
    if beat is None:
        return JsonResponse(PAUSED)
    version = "" if beat.version is None else str(beat.version)
    # A version Redis has not heard of (it restarted) is no change: the page keeps its own.
    changed = bool(version) and version != request.GET.get("v")
    if not changed and beat.presence == request.GET.get("p"):
        return HttpResponse(status=204)
    return JsonResponse(
        {
            "version": beat.version,
            "changed": changed,
            "viewers": beat.viewers,
            "typing": beat.typing,
            "p": beat.presence,
        }
    )


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
