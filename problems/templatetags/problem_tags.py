"""Template filters of problem management (badge colours)."""

from django import template

register = template.Library()


@register.filter
def problem_badge(status: str) -> str:
    from problems.choices import PROBLEM_STATUS_BADGE

    return PROBLEM_STATUS_BADGE.get(status, "secondary")
