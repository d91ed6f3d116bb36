"""The corpus (tests/fixtures/mail): each message delivered by IMAP APPEND to a real Dovecot,
fetched by the product's poll, and its outcome asserted."""

import pytest

from itsm.notifications.models import Notification
from itsm.notifications.services import email_message_id, email_thread_id
from tests.factories.tickets import make_ticket
from tests.tickets.mail.conftest import corpus_message
from tickets.mail.choices import InboundOutcome
from tickets.mail.models import InboundMessage
from tickets.mail.services import mailbox_poll
from tickets.models import Attachment, Comment, Ticket

TICKET, COMMENT, HELD = InboundOutcome.TICKET, InboundOutcome.COMMENT, InboundOutcome.HELD
IGNORED, REFUSED = InboundOutcome.IGNORED, InboundOutcome.REFUSED

# file → (outcome, what the ticket or comment must say, what it must not, files kept)
CASES = {
    "01-plain-new.eml": (TICKET, ["paper jam in tray 2"], [], []),
    "02-rfc2047-subject.eml": (
        TICKET,
        ["Drucker druckt nicht – Büro 3.14", "leere Seiten"],
        [],
        [],
    ),
    "03-iso-8859-1.eml": (TICKET, ["Frau Weiß", "Viele Grüße"], [], []),
    "04-wrong-charset.eml": (TICKET, ["The café wifi"], [], []),
    "05-unknown-charset.eml": (TICKET, ["A naïve question"], [], []),
    "06-windows-1252.eml": (TICKET, ["says “cannot connect” since"], [], []),
    "07-alternative.eml": (TICKET, ["plain part: my monitor flickers"], ["HTML part"], []),
    "08-html-only.eml": (
        TICKET,
        ["Outlook **crashes**", "shared calendar", "Windows 11"],
        ["alert(", "steal()", "color:red", "<p>"],
        [],
    ),
    "09-no-body.eml": (TICKET, ["Call me about my laptop"], [], []),
    "10-no-subject.eml": (TICKET, ["(no subject)", "garage"], [], []),
    "11-attachment-pdf.eml": (TICKET, ["See the attached report."], [], ["report.pdf"]),
    "12-rfc2231-name.eml": (TICKET, ["test log"], [], ["Prüfbericht März.txt"]),
    "13-exe-attachment.eml": (
        TICKET,
        ["install the attached tool", "Not attached", "setup.exe"],
        [],
        [],
    ),
    "14-zero-byte.eml": (TICKET, ["empty file"], [], ["export.txt"]),
    "15-winmail-dat.eml": (TICKET, ["contract draft", "Not attached", "winmail.dat"], [], []),
    "16-inline-image-cid.eml": (TICKET, ["The error looks like this"], [], ["attachment-1.png"]),
    "17-auto-reply-rfc3834.eml": (IGNORED, ["Auto-Submitted"], [], []),
    "18-precedence-bulk.eml": (IGNORED, ["Precedence: bulk"], [], []),
    "19-x-auto-response-suppress.eml": (IGNORED, ["X-Auto-Response-Suppress"], [], []),
    "20-dsn-bounce.eml": (IGNORED, ["delivery status notification"], [], []),
    "21-mailer-daemon.eml": (IGNORED, ["bounce"], [], []),
    "22-own-address-loop.eml": (IGNORED, ["our own addresses"], [], []),
    "23-reply-outlook.eml": (COMMENT, ["Restarted the laptop, works now."], ["Please restart"], []),
    "24-reply-gmail.eml": (COMMENT, ["drops again after ten minutes"], ["Please restart"], []),
    "25-reply-apple-mail.eml": (COMMENT, ["new token arrived"], ["Did you receive"], []),
    "26-reply-thunderbird.eml": (COMMENT, ["I can log in again"], ["password was reset"], []),
    "27-reply-watcher.eml": (COMMENT, ["Same problem on my laptop."], [], []),
    "28-reply-outsider.eml": (HELD, ["patching it"], [], []),
    "29-reply-agent.eml": (COMMENT, ["reset your VPN profile"], [], []),
    "30-forwarded-inline.eml": (TICKET, ["Is this message genuine?", "Click here"], [], []),
    "31-forwarded-as-attachment.eml": (TICKET, ["suspicious invoice", "forwarded-1.eml"], [], []),
    "32-malformed-mime.eml": (TICKET, ["The scanner sends mails"], [], []),
    "33-garbage.eml": (REFUSED, ["no headers"], [], []),
    "35-base64-body.eml": (TICKET, ["hat kein ß mehr"], [], []),
    "36-quoted-printable.eml": (TICKET, ["“no signal” after the update of the dock"], [], []),
    "37-unknown-sender-new.eml": (TICKET, ["cannot open the timesheet tool"], [], []),
    "39-subject-number-unknown.eml": (TICKET, ["does not exist here"], [], []),
    "40-auto-submitted-no.eml": (TICKET, ["monitor arm"], [], []),
    "41-precedence-list.eml": (IGNORED, ["Precedence: list"], [], []),
    "42-empty-return-path.eml": (IGNORED, ["empty Return-Path"], [], []),
    "43-display-name-comma.eml": (TICKET, ["written in capitals"], [], []),
    "44-html-alternative-cp1252.eml": (TICKET, ["Price shown as 10 €"], [], []),
}


@pytest.fixture
def vpn_ticket(requester, agent, watcher):
    ticket = make_ticket(requester=requester, short_description="Cannot connect to the VPN")
    ticket.watchers.add(watcher)
    return ticket


def _placeholders(ticket: Ticket) -> dict[str, str]:
    sent = Notification.objects.filter(record_id=ticket.pk, event="ticket_created").first()
    return {
        "NUMBER": ticket.number,
        "THREAD": email_thread_id(sent),
        "SENT_ID": email_message_id(sent),
    }


def test_the_corpus_has_at_least_forty_messages():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_message(name, dovecot, mailbox, vpn_ticket, requester):
    outcome, says, never, files = CASES[name]
    tickets_before = set(Ticket.objects.values_list("pk", flat=True))
    acks_before = Notification.objects.filter(event="ticket_created").count()
    dovecot.append(corpus_message(name, **_placeholders(vpn_ticket)), folder=mailbox.folder)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.processed, result.failed) == (1, 0), result.error
    # Processed mail leaves the inbox folder for the processed folder, never deleted.
    assert dovecot.count(mailbox.folder) == 0
    assert dovecot.count(mailbox.processed_folder) == 1
    record = InboundMessage.objects.get(mailbox=mailbox)
    assert record.outcome == outcome, record.reason
    new_tickets = Ticket.objects.exclude(pk__in=tickets_before)
    if outcome == TICKET:
        ticket = new_tickets.get()
        assert record.ticket == ticket
        assert ticket.channel == "email"
        text = f"{ticket.short_description}\n{ticket.description}"
        kept = list(
            Attachment.objects.filter(ticket=ticket, is_internal=False).values_list(
                "original_name", flat=True
            )
        )
        # The acknowledgement goes through the outbox, to the requester, with the number.
        ack = Notification.objects.get(event="ticket_created", record_id=ticket.pk)
        assert ticket.number in ack.subject
        assert f"/portal/tickets/{ticket.number}" in ack.body_text
        raw_owner = {"ticket": ticket, "comment": None}
    elif outcome in (COMMENT, HELD):
        assert not new_tickets.exists()
        comment = Comment.objects.get(pk=record.comment_id)
        assert comment.ticket == vpn_ticket
        assert comment.is_public == (outcome == COMMENT)
        text = comment.body
        kept = list(
            comment.attachments.filter(is_internal=False).values_list("original_name", flat=True)
        )
        raw_owner = {"ticket": vpn_ticket, "comment": comment}
    else:
        # Automatic mail and refusals: no ticket, no comment, and nobody is answered.
        assert not new_tickets.exists()
        assert record.ticket is None and record.comment is None
        assert Notification.objects.filter(event="ticket_created").count() == acks_before
        text = record.reason
        kept = []
        raw_owner = None
    for fragment in says:
        assert fragment in text
    for fragment in never:
        assert fragment not in text
    assert sorted(kept) == sorted(files)
    if raw_owner is not None:
        # The whole message is kept for the desk, byte for byte, never for the requester.
        raw = Attachment.objects.get(is_internal=True, **raw_owner)
        assert raw.content_type == "message/rfc822"
        assert raw.size == record.size
