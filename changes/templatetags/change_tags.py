"""Template filters of change management (badge colours)."""

from django import template

from changes.choices import RISK_BADGE, STATUS_BADGE, TYPE_BADGE

register = template.Library()


@register.filter
def change_status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "neutral")


@register.filter
def risk_badge(level: str) -> str:
    return RISK_BADGE.get(level, "neutral")


@register.filter
def change_type_badge(change_type: str) -> str:
    return TYPE_BADGE.get(change_type, "neutral")
