"""The e-mail channel end to end against a real Dovecot: exactly once, threading, reopening,
failures left on the server, a failing mailbox, limits, and the admin's write-only password."""

import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from itsm.notifications.models import Notification
from itsm.notifications.services import email_thread_id, notification_deliver
from tests.factories.tickets import make_ticket
from tests.tickets.mail.conftest import corpus_message, crlf
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.choices import TicketStatus
from tickets.mail.choices import InboundOutcome, MailboxState, MailSecurity, ProcessedAction
from tickets.mail.models import InboundMessage, Mailbox
from tickets.mail.services import MAILBOX_LOCK_CLASS, mail_process, mailbox_poll
from tickets.models import Attachment, Comment, Ticket


def _mail(
    *, sender="Rita Requester <rita@example.com>", subject="Help", body="Text.", **headers
) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = "help@example.com"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", f"<{time.monotonic_ns()}@mail.example.org>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


# --- Exactly once ---


def test_the_same_message_fetched_twice_makes_one_ticket(dovecot, mailbox, requester):
    raw = corpus_message("01-plain-new.eml")
    dovecot.append(raw, folder=mailbox.folder)
    dovecot.append(raw, folder=mailbox.folder)  # delivered twice, e.g. a retried delivery

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert result.processed == 2
    assert Ticket.objects.filter(short_description="Printer on floor 3 is jammed").count() == 1
    assert InboundMessage.objects.count() == 1
    # A third time through the service itself: still the first record, nothing written.
    again = mail_process(mailbox=mailbox, raw=raw)
    assert again == InboundMessage.objects.get()
    assert Ticket.objects.filter(short_description="Printer on floor 3 is jammed").count() == 1
    assert dovecot.count(mailbox.folder) == 0


def test_flagging_instead_of_moving_reads_each_message_once(dovecot, mailbox, requester):
    mailbox.processed_action = ProcessedAction.FLAG
    mailbox.save()
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)

    assert mailbox_poll(mailbox_id=mailbox.pk).processed == 1
    assert mailbox_poll(mailbox_id=mailbox.pk).processed == 0

    assert dovecot.count(mailbox.folder) == 1  # left where it was, marked read
    assert dovecot.count(mailbox.folder, criteria="UNSEEN") == 0
    assert Ticket.objects.filter(channel="email").count() == 1


def test_a_message_that_fails_stays_on_the_server_and_the_fetch_goes_on(
    dovecot, mailbox, requester, settings, tmp_path
):
    """A real failure, not a mock: file storage that cannot write (MEDIA_ROOT is a file).
    The message is left untouched, the ledger holds nothing for it, and the next poll takes
    it once storage works again."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    settings.MEDIA_ROOT = str(blocked)
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)
    dovecot.append(corpus_message("17-auto-reply-rfc3834.eml"), folder=mailbox.folder)

    first = mailbox_poll(mailbox_id=mailbox.pk)

    assert (first.processed, first.failed) == (1, 1)  # the auto-reply needs no storage
    assert dovecot.count(mailbox.folder) == 1
    assert not Ticket.objects.filter(channel="email").exists()
    assert not InboundMessage.objects.filter(outcome=InboundOutcome.TICKET).exists()
    mailbox.refresh_from_db()
    assert "left on the server" in mailbox.last_error

    settings.MEDIA_ROOT = str(tmp_path / "media")
    second = mailbox_poll(mailbox_id=mailbox.pk)

    assert (second.processed, second.failed) == (1, 0)
    assert Ticket.objects.filter(channel="email").count() == 1
    assert dovecot.count(mailbox.folder) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_one_poll_per_mailbox_at_a_time(dovecot, mailbox, requester, django_db_blocker):
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [MAILBOX_LOCK_CLASS, mailbox.pk])
        assert mailbox_poll(mailbox_id=mailbox.pk).locked_out
        assert dovecot.count(mailbox.folder) == 1
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [MAILBOX_LOCK_CLASS, mailbox.pk])
    finally:
        other.close()
    assert mailbox_poll(mailbox_id=mailbox.pk).processed == 1


# --- Connections ---


def test_imaps_with_a_verified_certificate(dovecot, mailbox, requester):
    mailbox.security = MailSecurity.IMAPS
    mailbox.port = dovecot.ssl_port
    mailbox.save()
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)

    assert mailbox_poll(mailbox_id=mailbox.pk).processed == 1


def test_a_failing_mailbox_shows_its_error_and_backs_off(dovecot, mailbox, requester):
    mailbox.password = "wrong"
    mailbox.save()

    first = mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert first.error
    assert mailbox.state == MailboxState.FAILING
    assert "LoginError" in mailbox.last_error or "AUTHENTICATIONFAILED" in mailbox.last_error
    first_delay = mailbox.next_poll_at - mailbox.last_polled_at
    mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert mailbox.failure_count == 2
    assert mailbox.next_poll_at - mailbox.last_polled_at == first_delay * 2

    mailbox.password = "desk-secret"
    mailbox.save()
    mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert (mailbox.state, mailbox.failure_count, mailbox.last_error) == (MailboxState.OK, 0, "")


def test_an_untrusted_certificate_is_refused(dovecot, mailbox, settings):
    settings.ITSM_MAIL_CA_FILE = ""  # the system's CAs do not know the test server
    result = mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert mailbox.state == MailboxState.FAILING


# --- Threading and replies ---


def test_a_reply_to_a_received_message_lands_on_its_ticket(dovecot, mailbox, requester):
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)
    reply = _mail(
        subject="Re: Printer on floor 3 is jammed",
        body="It jammed again.",
        In_Reply_To="<0101@mail.example.org>",
    )
    dovecot.append(crlf(reply), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    ticket = Ticket.objects.get(channel="email")
    assert list(ticket.comments.values_list("body", "is_public")) == [("It jammed again.", True)]


def test_a_requester_reply_reopens_a_resolved_ticket_like_a_portal_reply(
    dovecot, mailbox, requester, agent
):
    ticket = make_ticket(requester=requester)
    ticket = ticket_services.ticket_transition(
        ticket=ticket,
        to_status=TicketStatus.RESOLVED,
        actor=agent,
        expected_version=None,
        resolution_code="solved",
        resolution_notes="Reset the token.",
    )
    dovecot.append(
        crlf(_mail(subject=f"Re: [{ticket.number}] resolved", body="Still broken.")),
        folder=mailbox.folder,
    )

    mailbox_poll(mailbox_id=mailbox.pk)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.reopen_count == 1


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(dovecot, mailbox, requester, agent):
    ticket = make_ticket(requester=requester)
    ticket_services.ticket_transition(
        ticket=ticket, to_status=TicketStatus.CANCELLED, actor=agent, expected_version=None,
        reason="Raised twice.",
    )  # fmt: skip
    dovecot.append(
        crlf(_mail(subject=f"Re: [{ticket.number}]", body="Why was this closed?")),
        folder=mailbox.folder,
    )

    mailbox_poll(mailbox_id=mailbox.pk)

    follow_up = Ticket.objects.get(channel="email")
    assert follow_up.description.startswith(f"Follow-up to {ticket.number}")


def test_the_raw_message_is_for_the_desk_only(dovecot, mailbox, requester, agent):
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)
    mailbox_poll(mailbox_id=mailbox.pk)
    ticket = Ticket.objects.get(channel="email")
    raw = Attachment.objects.get(ticket=ticket, is_internal=True)

    assert ticket_selectors.attachment_get_for_user(user=agent, attachment_id=raw.pk) == raw
    with pytest.raises(Exception, match="No such attachment"):
        ticket_selectors.attachment_get_for_user(user=requester, attachment_id=raw.pk)
    assert raw not in ticket_selectors.attachment_list_for_report(ticket=ticket, user=requester)
    assert raw in ticket_selectors.attachment_list_for_report(ticket=ticket, user=agent)


# --- Unknown senders, noise and limits ---


def test_an_unknown_sender_is_refused_politely_when_the_mailbox_says_so(dovecot, mailbox):
    mailbox.unknown_senders = "refuse"
    mailbox.save()
    dovecot.append(corpus_message("37-unknown-sender-new.eml"), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    record = InboundMessage.objects.get()
    assert record.outcome == InboundOutcome.REFUSED
    assert not Ticket.objects.exists()
    refusal = Notification.objects.get(event="mail_refused")
    assert refusal.target == "nina@example.com"
    assert "only takes e-mail from people who have an account" in refusal.body_text


def test_an_unknown_sender_gets_a_requester_account(dovecot, mailbox):
    dovecot.append(corpus_message("37-unknown-sender-new.eml"), folder=mailbox.folder)
    mailbox_poll(mailbox_id=mailbox.pk)
    ticket = Ticket.objects.get()
    assert ticket.requester.email == "nina@example.com"
    assert ticket.requester.display_name == "Nina Newcomer"
    assert ticket.requester.groups.filter(name="Requester").exists()
    assert not ticket.requester.has_usable_password()


def test_a_sender_over_the_hourly_limit_is_ignored(dovecot, mailbox, requester, settings):
    settings.ITSM_MAIL_SENDER_LIMIT_PER_HOUR = 2
    for n in range(3):
        dovecot.append(crlf(_mail(subject=f"Message {n}")), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    assert Ticket.objects.filter(channel="email").count() == 2
    limited = InboundMessage.objects.get(outcome=InboundOutcome.IGNORED)
    assert "rate limit" in limited.reason


def test_defaults_of_the_mailbox_classify_new_tickets(dovecot, mailbox, requester, other_team):
    mailbox.default_team = other_team
    mailbox.save()
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)
    mailbox_poll(mailbox_id=mailbox.pk)
    assert Ticket.objects.get(channel="email").assignment_team == other_team


# --- Bad input ---


def test_a_thirty_megabyte_message_is_refused_and_the_next_one_is_taken(
    dovecot, mailbox, requester
):
    big = _mail(subject="Huge scan", body="x" * 10)
    big = big.replace(b"x" * 10, (b"A" * 76 + b"\r\n") * (30 * 1024 * 1024 // 78))
    dovecot.append(crlf(big), folder=mailbox.folder)
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.processed, result.failed) == (2, 0)
    refused = InboundMessage.objects.get(outcome=InboundOutcome.REFUSED)
    assert "the limit is 25 MB" in refused.reason
    assert Ticket.objects.filter(channel="email").count() == 1


def test_a_message_with_a_thousand_attachments_is_refused_whole(dovecot, mailbox, requester):
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = "rita@example.com"
    message["Subject"] = "Thousand files"
    message["Message-ID"] = "<thousand@mail.example.org>"
    message.set_content("See attached.")
    for n in range(1000):
        message.add_attachment(b"line\n", maintype="text", subtype="plain", filename=f"f{n}.txt")
    dovecot.append(crlf(message.as_bytes()), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    record = InboundMessage.objects.get()
    assert record.outcome == InboundOutcome.REFUSED
    assert "1,000 attachments" in record.reason
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()  # nothing half-saved


def test_a_five_megabyte_inline_image_is_kept(dovecot, mailbox, requester):
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = "rita@example.com"
    message["Subject"] = "Big screenshot"
    message["Message-ID"] = "<bigimage@mail.example.org>"
    message.set_content("<p>See <img src='cid:big@x'></p>", subtype="html")
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * (5 * 1024 * 1024)
    message.add_related(png, maintype="image", subtype="png", cid="<big@x>")
    dovecot.append(crlf(message.as_bytes()), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    image = Attachment.objects.get(is_internal=False)
    assert image.content_type == "image/png"
    assert image.size == len(png)


# --- Outgoing mail ---


def test_ticket_mail_carries_threading_headers_the_number_and_reply_to(
    mailbox, requester, mailoutbox
):
    ticket = make_ticket(requester=requester)
    notification = Notification.objects.get(event="ticket_created", record_id=ticket.pk)

    notification_deliver(notification_id=notification.pk)

    sent = message_from_bytes(mailoutbox[-1].message().as_bytes(), policy=policy.default)
    assert f"[{ticket.number}]" in sent["Subject"]
    assert sent["In-Reply-To"] == sent["References"] == email_thread_id(notification)
    assert sent["Reply-To"] == "help@example.com"
    assert sent["Auto-Submitted"] == "auto-generated"


# --- The admin ---


def test_the_admin_never_shows_the_password_and_keeps_it_when_left_empty(
    client_as, admin_user, mailbox
):
    client = client_as(admin_user)
    url = reverse("admin:tickets_mailbox_change", args=[mailbox.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert mailbox.password.encode() not in page.content

    form = {
        "name": mailbox.name, "address": mailbox.address, "is_active": "on",
        "host": mailbox.host, "port": mailbox.port, "security": mailbox.security,
        "username": mailbox.username, "password": "", "folder": mailbox.folder,
        "processed_action": mailbox.processed_action, "processed_folder": "Done",
        "unknown_senders": "create",
        "messages-TOTAL_FORMS": "0", "messages-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302
    saved = Mailbox.objects.get(pk=mailbox.pk)
    assert (saved.processed_folder, saved.password) == ("Done", mailbox.password)


def test_the_mailbox_page_lists_refusals(dovecot, client_as, admin_user, mailbox):
    dovecot.append(corpus_message("33-garbage.eml"), folder=mailbox.folder)
    mailbox_poll(mailbox_id=mailbox.pk)
    page = client_as(admin_user).get(reverse("admin:tickets_mailbox_change", args=[mailbox.pk]))
    assert b"not an e-mail that can be read" in page.content


def test_comments_from_mail_use_the_ticket_services(dovecot, mailbox, requester):
    """A reply by mail is audited and notifies like a portal reply (no second write path)."""
    ticket = make_ticket(requester=requester)
    dovecot.append(
        crlf(_mail(subject=f"Re: [{ticket.number}]", body="More details.")),
        folder=mailbox.folder,
    )
    mailbox_poll(mailbox_id=mailbox.pk)
    comment = Comment.objects.get(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.last_public_activity_at == comment.created_at
    assert ticket.version == 2
    assert timezone.now() - comment.created_at < timedelta(minutes=1)


def test_the_acknowledgement_of_a_mail_suggests_articles(dovecot, mailbox, requester):
    from tests.factories.knowledge import ArticleFactory

    article = ArticleFactory(title="Clearing a paper jam on the floor printers")
    dovecot.append(corpus_message("01-plain-new.eml"), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    ticket = Ticket.objects.get(channel="email")
    ack = Notification.objects.get(event="ticket_created", record_id=ticket.pk)
    assert "reply to this e-mail" in ack.body_text
    assert article.title in ack.body_text
    assert f"/portal/knowledge/{article.number}/" in ack.body_text


def test_plus_addressing_threads_a_reply_without_headers_or_number(
    dovecot, mailbox, requester, mailoutbox
):
    mailbox.plus_addressing = True
    mailbox.save()
    ticket = make_ticket(requester=requester)
    notification = Notification.objects.get(event="ticket_created", record_id=ticket.pk)
    notification_deliver(notification_id=notification.pk)
    reply_to = mailoutbox[-1].extra_headers["Reply-To"]
    assert reply_to == f"help+{ticket.number}@example.com"
    # The reply lost its headers and its subject, but was written to the plus address.
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = "rita@example.com"
    message["To"] = reply_to.lower()
    message["Subject"] = "my answer"
    message["Message-ID"] = "<plus-reply@mail.example.org>"
    message.set_content("Here is the serial number: 4711.")
    dovecot.append(crlf(message.as_bytes()), folder=mailbox.folder)

    mailbox_poll(mailbox_id=mailbox.pk)

    assert list(ticket.comments.values_list("body", flat=True)) == [
        "Here is the serial number: 4711."
    ]
