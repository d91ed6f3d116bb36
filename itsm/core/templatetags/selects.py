"""A select rendered in Python: queue pages draw a dozen selects on every load, and Django's
per-option widget templates made them the slowest part of the page."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def fast_select(bound_field, label: str = ""):
    field = bound_field.field
    value = bound_field.value()
    # NullBooleanSelect's option values are "unknown" / "true" / "false".
    if value is None:
        value = ""
    elif isinstance(value, bool):
        value = "true" if value else "false"
    selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (choice_value, " selected" if str(choice_value) in selected else "", choice_label)
            for choice_value, choice_label in _flat_choices(field)
        ),
    )
    return format_html(
        '<select name="{}" id="{}" aria-label="{}">{}</select>',
        bound_field.html_name,
        bound_field.id_for_label,
        label or bound_field.label,
        options,
    )


def _flat_choices(field):
    for choice_value, choice_label in field.widget.choices:
        # ModelChoiceIterator yields ModelChoiceIteratorValue objects; their str is the pk.
        yield (
            (getattr(choice_value, "value", choice_value) if choice_value != "" else ""),
            choice_label,
        )
