"""Retire rest_framework.authtoken: its keys become personal access tokens, then its table goes.

DRF's tokens were one per person, made by an administrator, stored in clear text, with no
scope and no expiry. Each one becomes a read-and-write token for every resource that expires
after ITSM_API_TOKEN_MAX_DAYS (so scripts keep working with `Authorization: Token <key>` and
their owners have time to replace them with narrower ones), stored as its SHA-256 only. The
clear-text keys are then dropped with the table. A database that never had the table (a new
installation) skips both steps.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

RESOURCES = [
    "changes", "cmdb", "dashboards", "directory", "knowledge", "problems", "releases",
    "tickets", "tokens",
]


def convert(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    Token = apps.get_model("apitokens", "PersonalAccessToken")
    expires_at = timezone.now() + timedelta(days=settings.ITSM_API_TOKEN_MAX_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
    Token.objects.bulk_create(
        Token(
            owner_id=user_id,
            name="API token (from before scoped tokens)",
            prefix=key[:6],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            scope="write",
            resources=RESOURCES,
            expires_at=expires_at,
        )
        for key, user_id in rows
    )
    schema_editor.execute("DROP TABLE authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("apitokens", "0001_personal_access_tokens")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
