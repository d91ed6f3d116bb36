"""The calendars every installation starts with: 24×7 and a standard office week."""

from datetime import time

from django.db import migrations

TWENTY_FOUR_SEVEN = "24×7"
STANDARD = "Standard business hours"


def create_default_calendars(apps, schema_editor):
    BusinessCalendar = apps.get_model("calendars", "BusinessCalendar")
    WorkingInterval = apps.get_model("calendars", "WorkingInterval")
    BusinessCalendar.objects.get_or_create(
        name=TWENTY_FOUR_SEVEN,
        defaults={
            "timezone": "UTC",
            "is_24x7": True,
            "description": "Every minute counts: nights, weekends and holidays included.",
        },
    )
    standard, created = BusinessCalendar.objects.get_or_create(
        name=STANDARD,
        defaults={
            "timezone": "Europe/London",
            "holiday_country": "GB",
            "holiday_subdivision": "ENG",
            "description": "Monday to Friday 08:00–17:00 UK time, closed on bank holidays "
            "in England.",
        },
    )
    if created:
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=standard, weekday=day, start_time=time(8), end_time=time(17))
            for day in range(5)
        )


def remove_default_calendars(apps, schema_editor):
    BusinessCalendar = apps.get_model("calendars", "BusinessCalendar")
    BusinessCalendar.objects.filter(name__in=[TWENTY_FOUR_SEVEN, STANDARD]).delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(create_default_calendars, remove_default_calendars)]
