"""The ITIL default priority matrix and the desk policy row."""

from django.db import migrations

from tickets.choices import DEFAULT_PRIORITY_MATRIX as DEFAULT_MATRIX


def create_defaults(apps, schema_editor):
    PriorityRule = apps.get_model("tickets", "PriorityRule")
    DeskPolicy = apps.get_model("tickets", "DeskPolicy")
    for (impact, urgency), priority in DEFAULT_MATRIX.items():
        PriorityRule.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )
    if not DeskPolicy.objects.exists():
        DeskPolicy.objects.create(reopen_window_days=7)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
