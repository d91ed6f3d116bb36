"""Links to tickets built in bulk: a queue page or an SLA sweep batch names many tickets."""

from collections.abc import Callable

from django.urls import reverse

_MARKER = "--number--"


def desk_ticket_paths() -> Callable[[str], str]:
    """number → the desk path of that ticket, with one `reverse()` for a whole page or batch
    instead of one per ticket (ticket numbers are letters and digits: nothing to quote)."""
    head, tail = reverse("tickets:desk-ticket-detail", args=[_MARKER]).rsplit(_MARKER, 1)
    return lambda number: head + number + tail
