# The desk queue remembered per agent (issue #16): columns, the extra filters open or closed,
# and the last view. Also the trigram indexes the queue search needs to find requesters by
# part of their name or address: `display_name__icontains` is `UPPER(display_name) LIKE …`,
# which only an index on that expression serves, so a name nobody has costs an index probe
# instead of a scan of every person. Built CONCURRENTLY, so sign-ins go on while they build.

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import tickets.models

USER_TRIGRAM_INDEXES = {
    "accounts_user_name_trgm": "display_name",
    "accounts_user_email_trgm": "email",
}


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("tickets", "0015_mail"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueuePreference",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="queue_preference",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "columns",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(
                            choices=[
                                ("number", "Number"),
                                ("priority", "Priority"),
                                ("short_description", "Short description"),
                                ("status", "Status"),
                                ("sla", "SLA"),
                                ("requester", "Requester"),
                                ("team", "Team / agent"),
                                ("service", "Service"),
                                ("category", "Category"),
                                ("updated", "Updated"),
                                ("opened", "Opened"),
                                ("channel", "Channel"),
                            ],
                            max_length=20,
                        ),
                        default=tickets.models._default_queue_columns,
                    ),
                ),
                ("filters_open", models.BooleanField(default=False)),
                ("last_query", models.CharField(blank=True, max_length=1000)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        TrigramExtension(),
        *(
            migrations.RunSQL(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
                f"ON accounts_user USING gin ((UPPER({column}::text)) gin_trgm_ops)",
                f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            )
            for name, column in USER_TRIGRAM_INDEXES.items()
        ),
    ]
