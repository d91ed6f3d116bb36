from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "itsm.calendars"
    label = "calendars"
    verbose_name = "Business calendars"
