"""Words for the "what changed since you opened it" list of a refused, stale form."""

from django import template

register = template.Library()


@register.filter
def words(name: str) -> str:
    """`assignment_team` → `Assignment team`: audit actions and field names, readable."""
    return str(name).replace("_", " ").capitalize()
