"""Form widgets drawn in Python where Django's templates cost too much: a select's options
(one template each) and, through the form renderer, the plain inputs and the textarea.

The markup is Django's own; values are escaped with the standard library's `html.escape`
(what Django's `escape` calls) joined as plain strings, because `format_html` per option or
attribute cost more than the escaping on pages with many forms (tickets/rows.py does the
same for queue rows)."""

from html import escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.safestring import SafeString


def _text(value) -> str:
    """`value` as HTML text: markup (anything with `__html__`) as it is, the rest escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


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
        return SafeString(
            f"<select{flatatt(final)}>{self._options(self.choices, selected)}</select>"
        )

    def _options(self, choices, selected: set[str]) -> str:
        parts = []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                parts.append(
                    f'<optgroup label="{_text(option_value)}">'
                    f"{self._options(label, selected)}</optgroup>"
                )
                continue
            # ModelChoiceIterator yields ModelChoiceIteratorValue; its str is the value.
            text = "" if option_value is None else str(option_value)
            chosen = " selected" if text in selected else ""
            parts.append(f'<option value="{escape(text)}"{chosen}>{_text(label)}</option>')
        return "".join(parts)


def _attrs(attrs: dict) -> str:
    """Django's attrs.html in Python, in the attributes' own order (True: the name alone;
    False: left out)."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return SafeString(
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return SafeString(
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


# Django's own templates for these widgets, drawn the same way in Python (one string
# instead of two template renders and an include per field).
_DRAWN_IN_PYTHON = {
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "datetime",
            "time",
            "search",
            "tel",
            "color",
        )
    },
    "django/forms/widgets/textarea.html": _textarea,
}


class FastFormRenderer(DjangoTemplates):
    """The project's form renderer: the plain inputs and the textarea, which every form on
    every page draws, are formatted in Python; every other widget and every form layout goes
    through Django's templates as usual."""

    def render(self, template_name, context, request=None):
        draw = _DRAWN_IN_PYTHON.get(template_name)
        if draw is None:
            return super().render(template_name, context, request=request)
        return draw(context["widget"])


def field_row(field: forms.BoundField) -> SafeString:
    """One form field with its label, help and errors, wired for screen readers: what every
    form in the product draws for each field (the `field_row` template tag). In Python, as
    the ticket page draws twenty of them and an include per field cost more than the page's
    queries."""
    target = _text(field.id_for_label or "")
    required = ' <span aria-hidden="true">*</span>' if field.field.required else ""
    parts = [
        f'<label for="{target}">{_text(field.label)}{required}</label>\n',
        f"{field.as_widget()}\n",
    ]
    if field.help_text:
        parts.append(f'<small id="{target}-help">{_text(field.help_text)}</small>\n')
    parts.extend(
        f'<small class="form-error" role="alert">{_text(error)}</small>' for error in field.errors
    )
    return SafeString("".join(parts))
