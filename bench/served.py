"""The product served as `make run` serves it (gunicorn with gunicorn.conf.py, DEBUG off, mail
to SentMail rows), on a spare loopback port, for the benchmarks that go over HTTP
(load_test.py, bench_ticket_throughput.py)."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_env(database_url: str, port: int) -> dict[str, str]:
    """The environment of `make run` (Makefile: run) for `database_url` on `port`. A process
    that makes sessions for the server must share its SECRET_KEY (a session carries a hash
    keyed by it)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "itsm.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ITSM_INSECURE_HTTP": "true",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "EMAIL_URL": "dbmail://",
        "ITSM_SITE_URL": f"http://127.0.0.1:{port}",
        "ITSM_MFA_REQUIRED_FOR": "none",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


class Gunicorn:
    """`gunicorn itsm.wsgi:application --config gunicorn.conf.py` with `env`, logs in `logs`."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        # As `make run` does; minutes on a busy machine (every file is hashed and compressed
        # again), so BENCH_COLLECTSTATIC=0 skips it when staticfiles/ is already current.
        if os.environ.get("BENCH_COLLECTSTATIC", "1") != "0":
            subprocess.run(
                [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=self.env,
                check=True,
            )
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "itsm.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=(self.logs / "access.log").open("w"),
            stderr=(self.logs / "gunicorn.log").open("w"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.5)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tracebacks(self) -> int:
        return (self.logs / "gunicorn.log").read_text(errors="replace").count("Traceback")
