"""Long-running: one IMAP IDLE connection per mailbox set to "use IDLE"; new mail is read
the moment the server announces it (a poll task on the `mail` queue, or here with
--process-here). Beat's polling goes on as the fallback. Run one of these (Procfile: mailidle);
a second one is harmless (the polls take the mailbox's advisory lock)."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from tickets.mail import selectors, services


class Command(BaseCommand):
    help = "Keep IMAP IDLE connections to the mailboxes that use IDLE; read mail as it comes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mailbox", type=int, action="append", help="Only these ids.")
        parser.add_argument(
            "--process-here",
            action="store_true",
            help="Read new mail in this process instead of starting a poll task.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["mailbox"] or selectors.mailbox_ids_idling()
        if not ids:
            self.stdout.write("No mailbox uses IDLE; nothing to do (polling reads them).")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        wake = None if options["process_here"] else _enqueue_poll
        threads = [
            threading.Thread(
                target=services.mailbox_idle,
                kwargs={"mailbox_id": pk, "stop": stop, "on_new_mail": wake},
                name=f"mail-idle-{pk}",
                daemon=True,
            )
            for pk in ids
        ]
        for thread in threads:
            thread.start()
        self.stdout.write(f"Idling on {len(ids)} mailbox(es); SIGTERM stops.")
        while any(thread.is_alive() for thread in threads) and not stop.is_set():
            stop.wait(1.0)
        stop.set()
        for thread in threads:
            thread.join(10)


def _enqueue_poll(mailbox_id: int) -> None:
    from tickets.mail.tasks import mailbox_poll

    mailbox_poll.delay(mailbox_id)
