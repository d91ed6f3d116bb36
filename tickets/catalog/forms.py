"""Order forms built from data: one Django form class per catalog item's `CatalogField` rows.

The same form validates the portal's POST and the API's JSON (`catalog.request_order` runs
it on every order), so the two interfaces can never disagree about what a valid answer is.
Cleaned answers are plain JSON values (str, int/float, list, ISO date) ready for
`Ticket.form_data`.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from itsm.accounts.models import User
from itsm.calendars.arithmetic import CalendarSpec, add_business_days
from itsm.calendars.models import BusinessCalendar
from itsm.calendars.selectors import calendar_spec
from itsm.cmdb.models import ConfigurationItem
from tickets.choices import CatalogFieldType
from tickets.models import CatalogField

FT = CatalogFieldType


class UserEmailField(forms.EmailField):
    """A person, given by the email address of an active account; cleans to that email."""

    def clean(self, value: Any) -> str:
        email = super().clean(value)
        if not email:
            return ""
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"Nobody with the address {email} has an account here.")
        return user.email


class ConfigurationItemField(forms.CharField):
    """A configuration item, given by its id or its (unique) name; cleans to the name."""

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if not text:
            return ""
        items = ConfigurationItem.objects.all()
        ci = items.filter(pk=int(text)).first() if text.isdigit() else None
        ci = ci or items.filter(name__iexact=text).first()
        if ci is None:
            raise forms.ValidationError(f"There is no configuration item called “{text}”.")
        return ci.name


class CatalogNumberField(forms.DecimalField):
    """A number; cleans to an int when it is whole, a float otherwise (JSON has no Decimal)."""

    def clean(self, value: Any) -> int | float | None:
        number = super().clean(value)
        if number is None:
            return None
        if number == number.to_integral_value():
            return int(number)
        return float(number)


def earliest_date(*, calendar: BusinessCalendar | None, business_days: int) -> date:
    """The first date `business_days` working days from today, in `calendar` (Monday to
    Friday in the site's timezone without one)."""
    if calendar is not None:
        spec = calendar_spec(calendar)
    else:
        whole_day = ((time(0), time(0)),)
        spec = CalendarSpec(
            tz=ZoneInfo(settings.TIME_ZONE), weekly=dict.fromkeys(range(5), whole_day)
        )
    today = timezone.now().astimezone(spec.tz).date()
    return add_business_days(today, business_days, spec)


class EarliestDateField(forms.DateField):
    """A date no earlier than `earliest()`, worked out when the answer is validated."""

    def __init__(self, *, earliest: Callable[[], date], business_days: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.earliest = earliest
        self.business_days = business_days

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is None:
            return
        first = self.earliest()
        if value < first:
            raise forms.ValidationError(
                f"Choose {first:%A} {first.day} {first:%B %Y} or later: we need "
                f"{self.business_days} working days.",
                code="too_early",
            )


def _field_for(definition: CatalogField) -> forms.Field:
    common: dict[str, Any] = {
        "label": definition.label,
        "required": definition.required,
        "help_text": definition.help_text,
    }
    choices = [(choice, choice) for choice in definition.choices]
    kind = definition.field_type
    if kind == FT.TEXT:
        return forms.CharField(max_length=500, **common)
    if kind == FT.LONG_TEXT:
        return forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == FT.CHOICE:
        return forms.ChoiceField(choices=[("", "Choose…"), *choices], **common)
    if kind == FT.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FT.DATE and definition.min_business_days:
        return EarliestDateField(
            earliest=lambda: earliest_date(
                calendar=definition.item.calendar, business_days=definition.min_business_days
            ),
            business_days=definition.min_business_days,
            widget=forms.DateInput(attrs={"type": "date"}),
            **common,
        )
    if kind == FT.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FT.NUMBER:
        return CatalogNumberField(max_digits=15, decimal_places=4, **common)
    if kind == FT.USER:
        return UserEmailField(**common)
    if kind == FT.CI:
        return ConfigurationItemField(max_length=120, **common)
    raise ValueError(f"Unknown catalog field type {kind!r}")


class CatalogOrderForm(forms.Form):
    """Base of every generated order form; `answers()` gives the JSON-ready cleaned data."""

    definitions: tuple[CatalogField, ...] = ()

    def answers(self) -> dict[str, Any]:
        data = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(definition.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = float(value)
            if value in (None, "", []):
                continue
            data[definition.name] = value
        return data


def order_form_class(definitions: Iterable[CatalogField]) -> type[CatalogOrderForm]:
    """A form class with one field per definition, in the definitions' order."""
    definitions = tuple(definitions)
    attrs: dict[str, Any] = {definition.name: _field_for(definition) for definition in definitions}
    attrs["definitions"] = definitions
    return type("CatalogItemOrderForm", (CatalogOrderForm,), attrs)


def raw_answers(definitions: Iterable[CatalogField], data: Any) -> dict[str, Any]:
    """The submitted values of a QueryDict (lists for multi-choice), as a plain dict."""
    answers: dict[str, Any] = {}
    for definition in definitions:
        if definition.field_type == FT.MULTI_CHOICE:
            answers[definition.name] = data.getlist(definition.name)
        elif definition.name in data:
            answers[definition.name] = data.get(definition.name)
    return answers


def render_answers(definitions: Iterable[CatalogField], answers: Mapping[str, Any]) -> str:
    """The answers as readable lines ("Label: value") for the request's description."""
    lines = []
    for definition in definitions:
        value = answers.get(definition.name)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        lines.append(f"{definition.label}: {value}")
    return "\n".join(lines)
