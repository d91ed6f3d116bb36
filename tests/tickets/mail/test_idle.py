"""IMAP IDLE against the real Dovecot: a message APPENDed while the loop idles is a ticket
within seconds, without waiting for a poll; the loop stops when told, and a mailbox not
set to IDLE is left to polling."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.tickets.mail.conftest import corpus_message
from tickets.mail.models import Mailbox
from tickets.mail.services import mailbox_idle, mailbox_poll
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _wait(predicate, seconds: float) -> float:
    began = time.monotonic()
    while not predicate():
        assert time.monotonic() - began < seconds, "timed out"
        time.sleep(0.05)
    return time.monotonic() - began


def test_mail_appended_while_idling_is_a_ticket_within_seconds(dovecot, mailbox, requester):
    Mailbox.objects.filter(pk=mailbox.pk).update(use_idle=True)
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)  # before idling
    wakes: list[float] = []

    def wake(pk: int) -> None:
        wakes.append(time.monotonic())
        mailbox_poll(mailbox_id=pk)

    stop = threading.Event()
    idler = threading.Thread(
        target=mailbox_idle, kwargs={"mailbox_id": mailbox.pk, "stop": stop, "on_new_mail": wake}
    )
    idler.start()
    try:
        # What arrived before the loop started is read at once.
        _wait(lambda: Ticket.objects.filter(channel="email").count() == 1, 10)
        time.sleep(0.5)  # the loop is in IDLE now
        appended = time.monotonic()
        dovecot.append(corpus_message("03-iso-8859-1.eml"), folder=mailbox.folder)
        took = _wait(lambda: Ticket.objects.filter(channel="email").count() == 2, 5)
        print(f"\nIDLE: appended → ticket in {took:.2f} s")
        assert len(wakes) == 2 and wakes[1] > appended  # woken by EXISTS, not a timer
        assert dovecot.count(mailbox.folder) == 0
    finally:
        stop.set()
        idler.join(10)
    assert not idler.is_alive()


def test_a_mailbox_not_set_to_idle_is_left_to_polling(dovecot, mailbox):
    stop = threading.Event()
    began = time.monotonic()
    mailbox_idle(mailbox_id=mailbox.pk, stop=stop, on_new_mail=lambda pk: None)
    assert time.monotonic() - began < 2


def test_an_unreachable_server_is_retried_until_stopped(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(use_idle=True, port=1)
    stop = threading.Event()
    idler = threading.Thread(target=mailbox_idle, kwargs={"mailbox_id": mailbox.pk, "stop": stop})
    idler.start()
    time.sleep(1.5)
    assert idler.is_alive()  # backing off, not crashed
    stop.set()
    idler.join(10)
    assert not idler.is_alive()


def test_the_mail_idle_command_reads_mail_as_it_arrives_and_stops_on_sigterm(
    dovecot, mailbox, requester, mail_settings, tmp_path
):
    Mailbox.objects.filter(pk=mailbox.pk).update(use_idle=True)
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "ITSM_MAIL_CA_FILE": str(dovecot.cert),
        "DEFAULT_FROM_EMAIL": mail_settings.DEFAULT_FROM_EMAIL,
    }
    log = tmp_path / "idle.log"
    with log.open("w") as out:
        idler = subprocess.Popen(
            [sys.executable, "manage.py", "mail_idle", "--process-here", "--mailbox",
             str(mailbox.pk)],
            cwd=Path(__file__).resolve().parents[3], env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait(lambda: "Idling on 1 mailbox" in log.read_text(), 30)
        time.sleep(1.0)  # connected and idling
        dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)
        took = _wait(lambda: Ticket.objects.filter(channel="email").count() == 1, 5)
        print(f"\nmail_idle: appended → ticket in {took:.2f} s")
        idler.send_signal(signal.SIGTERM)
        assert idler.wait(15) == 0
    finally:
        if idler.poll() is None:
            idler.kill()
            idler.wait()
