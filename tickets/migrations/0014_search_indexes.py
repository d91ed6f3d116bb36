# Text search on tickets (issue #19): a stored, weighted vector and three GIN indexes.
#
# Adding the stored column rewrites the table under an exclusive lock: plan a maintenance
# window (the whole migration took 61 s on a million tickets on a busy 2-core machine). The
# indexes are then built CONCURRENTLY, so writes go on while they build.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations, models


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
        migrations.AddField(
            model_name="ticket",
            name="search",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector(
                        "short_description", config="english", weight="A"
                    ),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        "description", config="english", weight="B"
                    ),
                    django.contrib.postgres.search.SearchConfig("english"),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search"], name="ticket_search"),
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
        # The planner estimates how many tickets a word matches from the column's statistics,
        # which exist only once the table is analysed again. Without them it guesses 0.5 % of
        # the table for every word and walks the date index for a rare one (0.8 s at 100k
        # tickets instead of 9 ms).
        migrations.RunSQL("ANALYZE tickets_ticket", migrations.RunSQL.noop, elidable=True),
    ]
