"""`{% field_row form.name %}`: a form field with its label, help and errors
(itsm.core.widgets.field_row). A builtin: every form template uses it."""

from django import template

from itsm.core.widgets import field_row as draw_field_row

register = template.Library()


@register.simple_tag
def field_row(field):
    return draw_field_row(field)
