from django.db import migrations


class Migration(migrations.Migration):
    """Joins the SLA and major-incident branches, both built on 0004."""

    dependencies = [
        ("tickets", "0005_sla"),
        ("tickets", "0006_major_incidents"),
    ]

    operations = []
