"""A real `celery worker` on the `mail` queue, SIGKILLed in the middle of a message: after a
restart every message is one ticket or one comment, none twice, none lost.

The kill is not left to timing: the test holds a row lock on the ticket the replies go to,
so the worker is provably inside a message's transaction (its ledger row and comment
written, not committed, waiting on the lock) when it is killed.
"""

import time

import psycopg2
import pytest
from django.db import connection
from kombu import Queue

from tests.factories.tickets import make_ticket
from tests.notifications.test_delivery_faults import (  # noqa: F401 (fixtures used by name)
    WorkerProcess,
    _redeliver_unacknowledged,
    _wait_until,
    fault_app,
    private_redis,
)
from tests.tickets.mail.conftest import corpus_message
from tickets.mail.models import InboundMessage
from tickets.mail.tasks import mailbox_poll
from tickets.models import Comment, Ticket

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_queue_app(fault_app):  # noqa: F811
    """Mail tasks routed to the `mail` queue (of the module's private broker), as in settings."""
    app = fault_app
    saved = app.conf.task_routes
    app.conf.task_routes = {"tickets.mail.tasks.*": {"queue": "mail"}, **saved}
    app.amqp.queues.select_add(Queue("mail"))
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    yield app
    app.conf.task_routes = saved
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def _backends(application_name: str, *, waiting_on_a_lock: bool = False) -> int:
    condition = " AND wait_event_type = 'Lock'" if waiting_on_a_lock else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM pg_stat_activity WHERE application_name = %s{condition}",
            [application_name],
        )
        return cursor.fetchone()[0]


def _message(n: int, subject: str) -> bytes:
    return (
        corpus_message("01-plain-new.eml")
        .replace(b"Printer on floor 3 is jammed", subject.encode())
        .replace(b"<0101@", f"<sigkill-{n}-{time.monotonic_ns()}@".encode())
    )


def test_a_worker_killed_mid_message_makes_each_message_once_after_restart(
    mail_queue_app,
    private_redis,  # noqa: F811
    dovecot,
    mailbox,
    requester,
    mail_settings,
    tmp_path,
):
    ticket = make_ticket(requester=requester)
    for n in range(4):
        dovecot.append(_message(n, f"New by mail {n}"), folder=mailbox.folder)
    for n in range(4, 8):
        dovecot.append(_message(n, f"Re: [{ticket.number}] reply {n}"), folder=mailbox.folder)

    worker = WorkerProcess(
        app=mail_queue_app, broker=private_redis, smtp_url="dummymail://", log_dir=tmp_path
    )
    worker.queue = "mail"
    worker.env.update(
        ITSM_MAIL_CA_FILE=str(dovecot.cert),
        DEFAULT_FROM_EMAIL=mail_settings.DEFAULT_FROM_EMAIL,
        ITSM_MAIL_SENDER_LIMIT_PER_HOUR="1000",
    )
    settings = connection.settings_dict
    blocker = psycopg2.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
        password=settings["PASSWORD"] or None, dbname=settings["NAME"],
    )  # fmt: skip
    try:
        # The first reply's transaction will wait on this lock (comment_add updates the row).
        with blocker.cursor() as cursor:
            cursor.execute("SELECT id FROM tickets_ticket WHERE id = %s FOR UPDATE", [ticket.pk])
        worker.start()
        # Published on a connection of its own to the private broker: the app's producer
        # pool may still hold a connection to the broker of an earlier test module.
        with mail_queue_app.connection_for_write(private_redis) as broker:
            mailbox_poll.apply_async((mailbox.pk,), connection=broker, queue="mail")
        _wait_until(
            lambda: _backends(worker.application_name, waiting_on_a_lock=True) == 1,
            what="the worker to be inside the first reply's transaction",
        )
        assert InboundMessage.objects.count() == 4  # the new mail, committed one by one

        worker.kill()
    finally:
        blocker.rollback()
        blocker.close()
    # The dead worker's transaction is rolled back (and its advisory lock freed) when its
    # backend finds the client gone.
    _wait_until(lambda: _backends(worker.application_name) == 0, what="the dead backend")
    assert InboundMessage.objects.count() == 4
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert dovecot.count(mailbox.folder) == 8  # nothing moved: the chunk never finished

    try:
        worker.start()
        # What the broker does after the visibility timeout: the unacknowledged poll again.
        assert _redeliver_unacknowledged(private_redis, mail_queue_app) == 1
        _wait_until(lambda: dovecot.count(mailbox.folder) == 0, what="the folder to be emptied")
    finally:
        worker.stop()

    assert InboundMessage.objects.count() == 8
    new = Ticket.objects.filter(channel="email").values_list("short_description", flat=True)
    assert sorted(new) == [f"New by mail {n}" for n in range(4)]
    bodies = Comment.objects.filter(ticket=ticket, is_public=True).values_list("body", flat=True)
    assert len(bodies) == 4
