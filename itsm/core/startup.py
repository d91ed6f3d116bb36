"""Start-up reachability of PostgreSQL and Redis, reported as one readable line."""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis
from django.conf import settings

from itsm.core.redis_client import master_client

START_HINTS = {
    "PostgreSQL": "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) "
    "main start` or `docker compose up -d postgres`, or set DATABASE_URL",
    "Redis": "start it with `redis-server --daemonize yes` or `docker compose up -d redis`, "
    "or set REDIS_URL",
}


def redact(url: str) -> str:
    """The URL without its password, so it can be printed."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def redis_location() -> str:
    """Where Redis is looked for, for messages (no password)."""
    if settings.REDIS_SENTINELS:
        return (
            f"the master {settings.REDIS_SENTINEL_MASTER!r} of Sentinel "
            f"{','.join(settings.REDIS_SENTINELS)}"
        )
    return redact(settings.REDIS_URL)


def postgres_problem() -> str | None:
    db = settings.DATABASES["default"]
    try:
        conn = psycopg2.connect(
            dbname="postgres",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            connect_timeout=3,
        )
    except psycopg2.OperationalError as exc:
        return str(exc).strip().splitlines()[0]
    conn.close()
    return None


def redis_problem() -> str | None:
    try:
        master_client(timeout=2).ping()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        return str(exc).strip().splitlines()[0]
    return None


def service_problems() -> list[str]:
    """One line per unreachable service, naming the URL tried and how to start it."""
    lines = []
    if problem := postgres_problem():
        url = redact(settings.DATABASE_URL)
        lines.append(f"Cannot reach PostgreSQL at {url} ({problem}); {START_HINTS['PostgreSQL']}.")
    if problem := redis_problem():
        lines.append(
            f"Cannot reach Redis at {redis_location()} ({problem}); {START_HINTS['Redis']}."
        )
    return lines


def exit_unless_services_reachable() -> None:
    problems = service_problems()
    if problems:
        for line in problems:
            sys.stderr.write(f"error: {line}\n")
        sys.exit(2)
