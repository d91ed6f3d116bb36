"""Migration helpers for the Postgres sequences behind human record numbers."""

from django.db import migrations

FIRST_NUMBER = 1001


def create_sequence(name: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        sql=f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {FIRST_NUMBER}",
        reverse_sql=f"DROP SEQUENCE IF EXISTS {name}",
    )
