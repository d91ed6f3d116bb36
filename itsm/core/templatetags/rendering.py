"""`{{ text|markdown }}` and `{{ text|markdown_mail }}`: tickets' Markdown through the product's
one renderer (itsm.core.rendering). On pages an image may only be one of our attachments;
in e-mail there are no images (the attachment URL needs a signed-in browser)."""

from django import template
from django.utils.safestring import SafeString

from itsm.core.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text, images="attachments")


@register.filter
def markdown_mail(text: str) -> SafeString:
    return render_markdown(text, images="none")
