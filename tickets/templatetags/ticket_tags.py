from django import template

from tickets.choices import PRIORITY_BADGE, STATUS_BADGE

register = template.Library()


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "neutral")


@register.filter
def priority_badge(priority: int) -> str:
    return PRIORITY_BADGE.get(priority, "neutral")


@register.filter
def sla_row_badge(clock) -> str:
    """Colour of a queue row's SLA badge, from stored fields only (no query, no maths)."""
    from tickets.selectors import sla_badge_state
    from tickets.sla.rules import SLA_BADGE

    return SLA_BADGE.get(sla_badge_state(clock), "neutral")


@register.simple_tag
def queue_rows(page, columns):
    """The queue's table rows for the agent's chosen `columns`, built in Python (see
    tickets.rows)."""
    from tickets.links import desk_ticket_paths
    from tickets.rows import queue_rows as build

    return build(page, columns=columns, ticket_path=desk_ticket_paths())
