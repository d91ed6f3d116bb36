"""A real local webhook receiver and small builders for outbox tests."""

import http.server
import threading
from dataclasses import dataclass, field
from email.message import Message

import pytest

from itsm.notifications.models import WebhookSubscription


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers `status`."""

    url: str = ""
    status: int = 204
    received: list[tuple[Message, bytes]] = field(default_factory=list)


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.received.append((self.headers, body))  # case-insensitive lookup
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/itsm"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _no_ids_left_from_earlier_tests():
    # Non-transactional tests never run their on_commit callbacks, so the ids they wrote stay
    # in the outbox's per-thread pending list and would be published with the next real commit
    # (a worker test would then wait behind hundreds of stale deliveries).
    from itsm.notifications.services import dispatch

    dispatch._pending.ids = []
    yield


@pytest.fixture
def make_subscription(db):
    def make(**fields) -> WebhookSubscription:
        fields.setdefault("name", "Chat channel")
        fields.setdefault("url", "http://127.0.0.1:9/unused")
        fields.setdefault("secret", "s3cret-for-tests")
        return WebhookSubscription.objects.create(**fields)

    return make


def _rebuild_celery_router() -> None:
    # Celery caches its router on first publish. The shared worker fixture swaps
    # `task_routes` by assignment, which does not rebuild it, so a module that published before
    # the worker started would route to the real queues, which the test worker does not read.
    from itsm.celery import app

    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


@pytest.fixture(scope="module", autouse=True)
def _celery_router_follows_config():
    yield
    _rebuild_celery_router()  # after the worker fixture restored the real routes


@pytest.fixture(scope="module")
def celery_app_for_tests(celery_app_for_tests):
    _rebuild_celery_router()
    return celery_app_for_tests


@pytest.fixture
def smtp_receiver(settings):
    """A real SMTP server on loopback; the default mailer sends to it over SMTP."""
    from tests.notifications.smtp_receiver import start_smtp_receiver

    receiver, controller = start_smtp_receiver()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": receiver.port, "timeout": 5},
        }
    }
    yield receiver
    receiver.release.set()
    controller.stop()
