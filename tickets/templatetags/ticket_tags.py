from django import template

from tickets.choices import PRIORITY_BADGE, STATUS_BADGE

register = template.Library()


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "neutral")


@register.filter
def priority_badge(priority: int) -> str:
    return PRIORITY_BADGE.get(priority, "neutral")
