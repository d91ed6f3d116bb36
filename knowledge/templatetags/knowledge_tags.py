from django import template

from knowledge.choices import STATUS_BADGE
from knowledge.rendering import headline_html, render_markdown

register = template.Library()


@register.filter
def kb_markdown(text: str):
    """Markdown rendered to sanitised HTML."""
    return render_markdown(text)


@register.filter
def kb_headline(raw: str):
    """A search headline with matches in <mark>, everything else escaped."""
    return headline_html(raw)


@register.filter
def kb_status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "neutral")
