"""`manage.py worker_alive [--queue Q …] [--beat] [--max-age S]`: exit 0 when workers have
consumed from every queue lately (or, with --beat, when beat's heartbeat arrives), 1 with one
line per problem otherwise. The container health check of the worker and beat services."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from itsm.core.selectors import beat_liveness_problem, worker_liveness_problems


class Command(BaseCommand):
    help = "Exit 1 unless a Celery worker consumed every queue recently (the heartbeat)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            help="A queue to check (repeatable); CELERY_WORKER_QUEUES by default.",
        )
        parser.add_argument(
            "--beat", action="store_true", help="Check that beat's heartbeat arrives instead."
        )
        parser.add_argument(
            "--max-age",
            type=int,
            default=None,
            help="Seconds without work before a queue is stale (ITSM_WORKER_STALE_SECONDS).",
        )

    def handle(self, *args, queues, beat: bool, max_age: int | None, **options):
        max_age = max_age if max_age is not None else settings.ITSM_WORKER_STALE_SECONDS
        try:
            if beat:
                problem = beat_liveness_problem(max_age_seconds=max_age)
                problems = [problem] if problem else []
            else:
                problems = worker_liveness_problems(
                    queues=queues or settings.CELERY_WORKER_QUEUES, max_age_seconds=max_age
                )
        except DatabaseError as exc:
            problems = [f"cannot read the heartbeats from PostgreSQL: {exc}".strip()]
        if problems:
            for line in problems:
                self.stderr.write(f"not alive: {line}")
            sys.exit(1)
        self.stdout.write("alive")
