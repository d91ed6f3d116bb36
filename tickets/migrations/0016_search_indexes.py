# Text search indexes on tickets (issue #19). Built CONCURRENTLY: on a million tickets each
# build takes tens of seconds, and a plain CREATE INDEX would block every write meanwhile.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("tickets", "0013_approval_decide_permission"),
    ]

    operations = [
        # Already created by knowledge's first migration; kept here so tickets does not rely on
        # the order in which the two apps migrate (IF NOT EXISTS makes it a no-op).
        TrigramExtension(),
        AddIndexConcurrently(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector(
                        "short_description", config="english", weight="A"
                    ),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        "description", config="english", weight="B"
                    ),
                    django.contrib.postgres.search.SearchConfig("english"),
                ),
                name="ticket_search",
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["number"], name="ticket_number_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["short_description"], name="ticket_subject_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        # The planner estimates how many tickets a word matches from the statistics of the
        # vector index's expression, which exist only once the table is analysed again.
        # Without them it guesses 0.5 % of the table for every word and walks the date index
        # for a rare one (0.8 s at 100k tickets instead of 9 ms).
        migrations.RunSQL("ANALYZE tickets_ticket", migrations.RunSQL.noop, elidable=True),
    ]
