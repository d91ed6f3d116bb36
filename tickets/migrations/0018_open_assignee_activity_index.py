"""The desk home's "requester replied" panel walks an agent's open tickets by latest public
activity. Built concurrently: tickets keep being written while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0017_merge_workspace"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("last_public_activity_at__isnull", False),
                    ("status__in", ("new", "in_progress", "on_hold")),
                ),
                fields=["assignee", "-last_public_activity_at"],
                name="ticket_open_assignee_activity",
            ),
        ),
    ]
