"""Ticket.sla_due_at: the earliest due instant of the ticket's running or breached clocks,
stored so the queue sorts by SLA from an index. Filled from the clocks here; the index is
built concurrently, as tickets keep being written."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

FILL_FROM_CLOCKS = """
UPDATE tickets_ticket t SET sla_due_at = d.due
FROM (
    SELECT ticket_id, min(due_at) AS due FROM tickets_slaclock
    WHERE state IN ('running', 'breached') GROUP BY ticket_id
) d
WHERE d.ticket_id = t.id AND d.due IS NOT NULL
"""


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0018_open_assignee_activity_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="sla_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL_FROM_CLOCKS, reverse_sql=migrations.RunSQL.noop),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "in_progress", "on_hold"))),
                fields=["sla_due_at", "-id"],
                name="ticket_open_sla_due",
            ),
        ),
    ]
