"""Real services that a fault test may break, each on a spare loopback port and never the
shared ones: a throw-away Redis (killed, frozen with SIGSTOP, restarted on the same port), a
private PostgreSQL cluster (stopped and started), a Celery worker process and the product
under gunicorn pointed at them."""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
CELERY = str(Path(sys.executable).with_name("celery"))
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/nonexistent"))


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(root: Path) -> Path:
    """A certificate for 127.0.0.1 (and its key, key.pem) under `root`, for a test server's
    TLS; the test trusts it by its path."""
    cert = root / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(root / "key.pem"), "-out", str(cert),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert


class ForegroundServer:
    """A test server run in the foreground as `process`, with everything under `root` and its
    log in `root / LOG`: stopping, removing and reading the log are the same for all."""

    LOG = "server.log"
    root: Path
    process: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / self.LOG
        return path.read_text()[-3000:] if path.exists() else ""


def wait_until(condition, *, timeout: float, step: float = 0.1) -> bool:
    """Poll `condition` until it is true or `timeout` seconds passed; return the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


def cache_on(test_settings, url: str) -> None:
    """Point the cache at `url` (a throw-away Redis a test breaks) with the product's own
    timeouts, which the fault tests measure; the shared Redis gets longer ones in tests
    (tests/conftest.py `_own_cache_namespace`). The cache's rest after a fault starts over."""
    import itsm.settings as product
    from itsm.core import cache as core_cache

    default = test_settings.CACHES["default"]
    options = product.CACHES["default"]["OPTIONS"]
    test_settings.CACHES = {
        **test_settings.CACHES,
        "default": {
            **default,
            "LOCATION": url,
            "OPTIONS": {
                **default["OPTIONS"],
                "socket_connect_timeout": options["socket_connect_timeout"],
                "socket_timeout": options["socket_timeout"],
            },
        },
    }
    core_cache._skip_until = 0.0


class ThrowawayRedis:
    """A redis-server of our own, without persistence, in `directory`; `replica_of` (another
    ThrowawayRedis) makes it a replica streaming from that one."""

    def __init__(
        self, directory: Path | None = None, *, replica_of: "ThrowawayRedis | None" = None
    ):
        self.directory = directory or Path(tempfile.mkdtemp(prefix="itsm-redis-"))
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.replica_of = replica_of
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.directory / f"redis-{self.port}.log").open("a")
        replication = (
            ("--replicaof", "127.0.0.1", str(self.replica_of.port)) if self.replica_of else ()
        )
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
                *replication,
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


class ThrowawaySentinel(ForegroundServer):
    """A Redis Sentinel (`redis-server CONF --sentinel`, as Debian's redis-sentinel runs it) on
    a spare port, watching `master` under the name `name`; `quorum` of the sentinels must
    agree that the master is down. Tuned to notice a dead master within a second."""

    LOG = "sentinel.log"

    def __init__(self, master: ThrowawayRedis, *, name: str = "mymaster", quorum: int = 2):
        self.port = spare_port()
        self.root = Path(tempfile.mkdtemp(prefix="itsm-sentinel-"))
        # Sentinel rewrites its configuration file as it learns (replicas, other sentinels,
        # the new master), so each one owns its file.
        (self.root / "sentinel.conf").write_text(
            f"bind 127.0.0.1\nport {self.port}\ndir {self.root}\n"
            f"logfile {self.root / self.LOG}\n"
            f"sentinel monitor {name} 127.0.0.1 {master.port} {quorum}\n"
            f"sentinel down-after-milliseconds {name} 1000\n"
            f"sentinel failover-timeout {name} 10000\n"
            f"sentinel parallel-syncs {name} 1\n"
        )
        self.address = f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", str(self.root / "sentinel.conf"), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: _port_open(self.port), what=f"redis-sentinel on {self.port}", timeout=10)


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

    def __init__(
        self, *, redis_url: str, db_url: str, log_path: Path, extra_env=None, extra_args=()
    ):
        self.redis_url = redis_url
        self.db_url = db_url
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.extra_args = tuple(extra_args)
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
                f"--queues={','.join(settings.CELERY_TASK_QUEUES_NAMES)}",
                *("--without-mingle", "--without-gossip"),
                *("-n", f"fault-{os.getpid()}@%h"),
                *self.extra_args,
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


def _as_postgres(*command: str) -> None:
    subprocess.run(
        ["su", "postgres", "-c", " ".join(command)], check=True, capture_output=True, cwd="/tmp"
    )


class PrivatePostgres:
    """`initdb` + `pg_ctl` under /tmp, run as the postgres user, trust auth on loopback."""

    def __init__(self) -> None:
        self.port = spare_port()
        self.dir = Path(tempfile.mkdtemp(prefix="itsm-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip

    def start(self, *settings: str) -> None:
        """Start on its port; `settings` are extra `name=value` server settings."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += "".join(f" -c {setting}" for setting in settings)
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
            "-o", f"'{options}'", "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def copy_database(self, source_url: str, dbname: str) -> None:
        """A copy of another database (schema and rows) under `dbname`."""
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             dbname],
            check=True,
        )  # fmt: skip
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), "--no-owner", source_url],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(dbname)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class StandbyPostgres(PrivatePostgres):
    """A hot standby streaming from `primary` (a started PrivatePostgres), made the way an
    operator makes one: `pg_basebackup -R` writes standby.signal and primary_conninfo."""

    def __init__(self, primary: PrivatePostgres) -> None:  # no initdb: the backup is the data
        self.port = spare_port()
        self.dir = Path(tempfile.mkdtemp(prefix="itsm-pg-standby-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        _as_postgres(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "--no-sync",
            # An immediate checkpoint: the default spreads it over minutes of waiting.
            "--checkpoint=fast",
        )  # fmt: skip


def wait_for(condition, *, what: str, timeout: float = 30.0) -> None:
    """`wait_until`, for a service that must come up: a timeout is an error."""
    if not wait_until(condition, timeout=timeout):
        raise TimeoutError(f"{what} did not come up in {timeout:.0f} s")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Gunicorn:
    """The product as deployed (DEBUG off, the gunicorn config), one worker, on a spare port."""

    def __init__(self, **env: str) -> None:
        self.port = spare_port()
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ITSM_INSECURE_HTTP": "true",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "itsm.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for(lambda: _port_open(self.port), what="gunicorn", timeout=60)
        return self

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
