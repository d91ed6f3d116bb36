"""What the live ticket page and queue need from tickets.live (templates: _live*.html)."""

import time

from django import template

from tickets import live

register = template.Library()


@register.simple_tag(takes_context=True)
def live_token(context, ticket) -> str:
    """The poll token of the desk page drawing `ticket` for the signed-in agent."""
    return live.poll_token(user=context["request"].user, number=ticket.number)


@register.simple_tag
def live_poll_seconds(page: str) -> int:
    return live.QUEUE_POLL_SECONDS if page == "queue" else live.TICKET_POLL_SECONDS


@register.simple_tag
def live_now() -> str:
    """The server's time, which the queue's poll counts changes after."""
    return f"{time.time():.3f}"
