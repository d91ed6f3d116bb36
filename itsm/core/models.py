"""Abstract building blocks shared by every process record. No concrete models live here."""

from django.db import connection, models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """A record edited by several people at once: every write bumps `version`.

    Services update with `WHERE version = expected` (see `itsm.core.locking`), so a stale edit
    is refused (409 in the API, a clear message in the UI) instead of overwriting silently.
    """

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class NumberedModel(models.Model):
    """A record with a human number (`INC0001001`) drawn from a Postgres sequence.

    Sequences never hand out the same value twice, even to concurrent transactions, unlike
    `max()+1`. Subclasses set NUMBER_PREFIX and NUMBER_SEQUENCE; the sequence is created by
    the app's migration with `itsm.core.numbering.create_sequence`.
    """

    NUMBER_PREFIX = ""
    NUMBER_SEQUENCE = ""

    number = models.CharField(max_length=20, unique=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def next_number(cls) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [cls.NUMBER_SEQUENCE])
            (value,) = cursor.fetchone()
        return f"{cls.NUMBER_PREFIX}{value:07d}"
