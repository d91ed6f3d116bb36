"""Form widgets drawn in Python where Django's per-option templates cost too much."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class FastSelect(forms.Select):
    """A select whose options are formatted in Python rather than rendered one template
    each: on the ticket page a dozen selects (teams, agents, desk people) cost more than
    every query of the page together. Same attributes and markup as `forms.Select`."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        return format_html(
            "<select{}>{}</select>", flatatt(final), self._options(self.choices, selected)
        )

    def _options(self, choices, selected: set[str]):
        parts = []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                parts.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>',
                        option_value,
                        self._options(label, selected),
                    )
                )
                continue
            # ModelChoiceIterator yields ModelChoiceIteratorValue; its str is the value.
            text = "" if option_value is None else str(option_value)
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    text,
                    " selected" if text in selected else "",
                    label,
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))
