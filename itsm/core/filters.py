"""Filter and form fields shared by every FilterSet and form, so that bad input is a 400
with a message in one place instead of an error inside PostgreSQL."""

from datetime import UTC, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

# PostgreSQL refuses a time-zone displacement beyond ±15:59 ("time zone displacement out of
# range"), while Python and ISO 8601 take up to ±23:59.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


class AwareDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time (offset optional: none means the current time zone) that the
    database can hold: the offset within ±15:59, the value converted to UTC."""

    default_error_messages = {
        "offset": "Give a time-zone offset between -15:59 and +15:59 (e.g. +01:00, or Z for UTC).",
        "overflow": "That date-time is outside the range of dates we can store.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        try:
            return value.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError(self.error_messages["overflow"], code="overflow") from error


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The one date-time filter of every FilterSet (desk lists and API alike)."""

    field_class = AwareDateTimeField


class FormBuiltOnce:
    """For a FilterSet whose form depends on nothing but its filters' definitions (no
    queryset chosen per request): django-filter builds the form class, and each of its
    fields, for every filterset, most of a queue page's filtering time; here once per class.
    Each form still gets its own copies of the fields, as every Django form does."""

    def get_form_class(self) -> type:
        cls = type(self)
        form = cls.__dict__.get("_form_class_built")
        if form is None:
            form = super().get_form_class()  # type: ignore[misc]
            cls._form_class_built = form  # type: ignore[attr-defined]
        return form
