"""Real services that a fault test may break: a throw-away Redis on a spare loopback port
(killed, frozen with SIGSTOP, restarted on the same port) and a Celery worker process
against it. Never the shared Redis on 6379."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
CELERY = str(Path(sys.executable).with_name("celery"))


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, step: float = 0.1) -> bool:
    """Poll `condition` until it is true or `timeout` seconds passed; return the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


class ThrowawayRedis:
    """A redis-server of our own, without persistence, in `directory`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.directory / f"redis-{self.port}.log").open("a")
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if not wait_until(self._answers, timeout=10):
            raise RuntimeError(f"the throw-away redis-server on {self.port} did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Redis dies at once (SIGKILL), as in a crash or an OOM kill; its data is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def freeze(self) -> None:
        """Redis stops answering but keeps its sockets (a stalled VM, a full network buffer)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()
            self.kill()


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for another process to reach the database this process uses."""
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class WorkerProcess:
    """`celery -A itsm worker` as production runs it (prefork, every queue), in its own
    process, against `redis_url` and the database `db_url`; mail goes to SentMail rows."""

    def __init__(self, *, redis_url: str, db_url: str, log_path: Path, extra_env=None):
        self.redis_url = redis_url
        self.db_url = db_url
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="itsm.settings",
            DATABASE_URL=self.db_url,
            REDIS_URL=self.redis_url,
            EMAIL_URL="dbmail://",
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        self.process = subprocess.Popen(
            [
                *(CELERY, "-A", "itsm", "worker", "--loglevel=INFO", "--concurrency=1"),
                *("--queues=default,sla,notifications", "--without-mingle", "--without-gossip"),
                *("-n", f"fault-{os.getpid()}@%h"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_until(lambda: " ready." in self.log() or not self.alive(), timeout=45):
            raise RuntimeError(f"the worker did not start:\n{self.log()[-3000:]}")
        if not self.alive():
            raise RuntimeError(f"the worker exited at start-up:\n{self.log()[-3000:]}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
