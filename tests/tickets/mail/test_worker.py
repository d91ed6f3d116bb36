"""Real processes and real concurrency: a Celery worker reads the mailbox from the beat
task, two polls or two processors race on the same mail, and the IMAP server restarts."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.concurrency import run_at_once
from tests.imap import PASSWORD, PrivateDovecot
from tests.tickets.mail.conftest import corpus_message
from tickets.mail.choices import MailboxState, MailSecurity
from tickets.mail.models import InboundMessage, Mailbox
from tickets.mail.services import mail_process, mailbox_poll
from tickets.mail.tasks import mailboxes_poll
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.worker
def test_a_real_worker_turns_mail_into_tickets_from_the_beat_task(
    celery_worker, dovecot, mailbox, requester
):
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)

    mailboxes_poll.delay()

    deadline = time.monotonic() + 20
    while mailbox.last_success_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
        mailbox.refresh_from_db()
    assert Ticket.objects.filter(channel="email").count() == 1
    assert mailbox.last_success_at is not None
    assert mailbox.next_poll_at > mailbox.last_success_at  # not due again at once


def test_two_polls_at_once_process_each_message_once(dovecot, mailbox, requester):
    for name in ("01-plain-new.eml", "03-iso-8859-1.eml", "07-alternative.eml"):
        dovecot.append(corpus_message(name), folder=mailbox.folder)

    results = run_at_once(
        lambda: mailbox_poll(mailbox_id=mailbox.pk), lambda: mailbox_poll(mailbox_id=mailbox.pk)
    )

    assert sorted(r.processed for r in results) == [0, 3]
    assert [r.locked_out for r in results].count(True) == 1
    assert Ticket.objects.filter(channel="email").count() == 3


def test_the_same_message_processed_at_once_by_two_workers_makes_one_ticket(mailbox, requester):
    """The same mail reaching two mailboxes (To and Cc) and read by two workers at once: the
    ledger's unique key makes the second wait for the first, then write nothing."""
    raw = corpus_message("01-plain-new.eml")
    records = run_at_once(
        lambda: mail_process(mailbox=mailbox, raw=raw),
        lambda: mail_process(mailbox=mailbox, raw=raw),
    )

    assert not [r for r in records if isinstance(r, Exception)], records
    assert records[0].pk == records[1].pk
    assert Ticket.objects.filter(channel="email").count() == 1
    assert InboundMessage.objects.count() == 1


def test_an_imap_server_restart_loses_nothing(requester, mail_settings):
    server = PrivateDovecot(users=("desk",))
    server.start()
    try:
        mail_settings.ITSM_MAIL_CA_FILE = str(server.cert)
        box = Mailbox.objects.create(
            name="Restarting", address="restart@example.com", host="127.0.0.1",
            port=server.port, security=MailSecurity.STARTTLS, username="desk",
            password=PASSWORD, processed_folder="Done",
        )  # fmt: skip
        server.append(corpus_message("01-plain-new.eml"), folder="INBOX")
        server.stop()

        down = mailbox_poll(mailbox_id=box.pk)
        box.refresh_from_db()
        assert down.error and box.state == MailboxState.FAILING
        assert not Ticket.objects.exists()

        server.start()
        up = mailbox_poll(mailbox_id=box.pk)
        assert up.processed == 1
        assert Ticket.objects.count() == 1
        assert mailbox_poll(mailbox_id=box.pk).processed == 0
        assert Ticket.objects.count() == 1
    finally:
        server.remove()


def test_a_poller_killed_mid_fetch_loses_nothing_and_writes_nothing_twice(
    dovecot, mailbox, requester, mail_settings
):
    """A real process reading the mailbox is SIGKILLed while it works through 40 messages;
    the next poll finishes the job: one ticket per message, none twice, none lost."""
    total = 40
    mail_settings.ITSM_MAIL_SENDER_LIMIT_PER_HOUR = 1000  # one sender sends them all
    for n in range(total):
        raw = (
            corpus_message("01-plain-new.eml")
            .replace(b"Printer on floor 3 is jammed", f"Killed poll {n:02d}".encode())
            .replace(b"<0101@", f"<kill-{n}@".encode())
        )
        dovecot.append(raw, folder=mailbox.folder)
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "ITSM_MAIL_CA_FILE": str(dovecot.cert),
        "DEFAULT_FROM_EMAIL": mail_settings.DEFAULT_FROM_EMAIL,
        "ITSM_MAIL_SENDER_LIMIT_PER_HOUR": "1000",
    }
    poller = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c",
         f"from tickets.mail.services import mailbox_poll; mailbox_poll(mailbox_id={mailbox.pk})"],
        cwd=Path(__file__).resolve().parents[3], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while InboundMessage.objects.count() < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        poller.send_signal(signal.SIGKILL)
        poller.wait()
    done_by_the_killed = InboundMessage.objects.count()
    assert 5 <= done_by_the_killed < total

    # The dead poller's advisory lock ends with its connection.
    deadline = time.monotonic() + 10
    while (result := mailbox_poll(mailbox_id=mailbox.pk)).locked_out:
        assert time.monotonic() < deadline
        time.sleep(0.2)

    assert result.failed == 0
    assert dovecot.count(mailbox.folder) == 0
    subjects = list(
        Ticket.objects.filter(channel="email").values_list("short_description", flat=True)
    )
    assert sorted(subjects) == [f"Killed poll {n:02d}" for n in range(total)]
    assert InboundMessage.objects.count() == total
