"""The ITIL default priority matrix and the desk policy row."""

from django.db import migrations

# ITIL 3×3: impact (rows) × urgency (columns) → priority.
DEFAULT_MATRIX = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}


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
