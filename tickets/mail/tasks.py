"""Celery tasks of the e-mail channel, routed to the `mail` queue."""

from celery import shared_task


@shared_task
def mailboxes_poll() -> int:
    """Beat, every ITSM_MAIL_POLL_SECONDS: one poll task per mailbox that is due (a failing
    mailbox's next poll is pushed back). Returns how many were started."""
    from tickets.mail.selectors import mailbox_ids_due

    due = mailbox_ids_due()
    for mailbox_id in due:
        mailbox_poll.delay(mailbox_id)
    return len(due)


@shared_task
def mailbox_poll(mailbox_id: int) -> int:
    """Read one mailbox. Safe to duplicate: a second poll of the same mailbox returns at once
    (advisory lock), and every message is processed once (the ledger's unique key)."""
    from tickets.mail.services import mailbox_poll as poll

    return poll(mailbox_id=mailbox_id).processed
