from django import template

from releases.choices import STATUS_BADGE, STEP_BADGE

register = template.Library()


@register.filter
def release_status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "neutral")


@register.filter
def step_badge(status: str) -> str:
    return STEP_BADGE.get(status, "neutral")
