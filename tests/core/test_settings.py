import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "x7Qp9vR2mZ4tL8wN6yB1cF5hJ0sD3gK7aE9uI2oP4rT6" * 2,
    "ALLOWED_HOSTS": "desk.example.com",
    "EMAIL_URL": "smtp://mailer:secret@mail.example.com:587/?tls=True",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    excluded = (
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )  # the last is set for Playwright
    full_env = {k: v for k, v in os.environ.items() if k not in excluded}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_value(expression: str, env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "itsm.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_settings_come_from_the_environment():
    env = {
        "DATABASE_URL": "postgres://someone:pw@db.internal:6543/desk",
        "REDIS_URL": "redis://cache.internal:6380/2",
        "TIME_ZONE": "Europe/Berlin",
        "ALLOWED_HOSTS": "a.example.com,b.example.com",
        "EMAIL_URL": "smtp://mailer.internal:2525",
    }
    db = "settings.DATABASES['default']"
    assert (
        settings_value(f"{db}['HOST'], {db}['PORT'], {db}['NAME']", env) == "db.internal 6543 desk"
    )
    assert settings_value("settings.CELERY_BROKER_URL", env) == "redis://cache.internal:6380/2"
    assert settings_value("settings.CELERY_RESULT_BACKEND", env) == "redis://cache.internal:6380/1"
    assert settings_value("settings.TIME_ZONE", env) == "Europe/Berlin"
    assert settings_value("settings.ALLOWED_HOSTS", env) == "['a.example.com', 'b.example.com']"
    options = "settings.MAILERS['default']['OPTIONS']"
    assert settings_value(f"{options}['host'], {options}['port']", env) == "mailer.internal 2525"


def test_local_defaults_point_at_local_postgres_and_redis():
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['HOST'], s.DATABASES['default']['USER'], s.REDIS_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "itsm.settings"},
        check=False,
    )
    assert result.stdout.split() == ["127.0.0.1", "postgres", "redis://127.0.0.1:6379/0"], (
        env,
        result.stderr,
    )


def test_production_without_a_secret_refuses_to_start():
    result = run_manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_a_non_postgres_database_is_refused():
    result = run_manage("check", env={"DATABASE_URL": "sqlite:///tmp/x.db"})
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DATABASE_URL": "postgres://postgres:secret@127.0.0.1:1/itsm"},
            "Cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:1/itsm",
        ),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "Cannot reach Redis at redis://127.0.0.1:1/0"),
    ],
)
def test_unreachable_service_gives_one_clear_line(env, expected):
    result = run_manage("migrate", "--check", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {expected}")
    assert "start it with" in lines[0]
    assert "Traceback" not in result.stderr
