"""The desk home's "my tickets by SLA due" walks an agent's open tickets by their stored due
instant. Built concurrently: tickets keep being written while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0019_ticket_sla_due"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "in_progress", "on_hold"))),
                fields=["assignee", "sla_due_at", "-id"],
                name="ticket_open_assignee_sla_due",
            ),
        ),
    ]
