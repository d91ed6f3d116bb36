"""`{{ event|history }}`: an audit event as people read it (itsm.audit.presentation)."""

from django import template

from itsm.audit.presentation import ShownEvent, show_event

register = template.Library()


@register.filter
def history(event) -> ShownEvent:
    return show_event(event)
