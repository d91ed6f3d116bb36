"""`{{ moment|when }}`, `{{ day|day }}`, `{{ delta|duration }}`: the product's date formats
(itsm.core.dates), built into every template (settings TEMPLATES "builtins")."""

from django import template

from itsm.core.dates import format_date, format_datetime, format_duration, format_minutes

register = template.Library()

register.filter("when", format_datetime, expects_localtime=False)
register.filter("day", format_date, expects_localtime=False)
register.filter("duration", format_duration)
register.filter("minutes_worked", format_minutes)
