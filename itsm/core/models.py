"""Abstract building blocks shared by every process record, and the one operational table:
worker heartbeats."""

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


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran a task from one queue: the liveness signal of workers.

    A stalled consumer keeps its process (and its answer to a ping) alive, so liveness is
    judged by work done. It lives in PostgreSQL, not Redis, so it survives a Redis outage and
    tells "Redis is back but nobody consumes" apart from "Redis is down".
    """

    queue = models.CharField(max_length=100, primary_key=True)
    # The last heartbeat task that beat sent to this queue: proves beat and a consumer.
    heartbeat_at = models.DateTimeField(null=True)
    # The last task of any kind from this queue: a worker busy draining a backlog, with the
    # heartbeat queued behind it, is alive.
    task_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.queue
