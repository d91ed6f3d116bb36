"""Retention: attachments of tickets closed more than ITSM_RETENTION_ATTACHMENT_DAYS ago are
purged (files and rows) in batches by the beat task, with one summary audit entry."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from itsm.audit.models import AuditEvent
from itsm.privacy import tasks
from tests.factories.tickets import make_ticket
from tickets.choices import ResolutionCode, TicketStatus
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _ticket_with_files(requester, *, closed_days_ago, status=TicketStatus.CLOSED, files=1):
    ticket = make_ticket(
        requester=requester,
        files=[SimpleUploadedFile(f"log{n}.txt", b"log line") for n in range(files)],
    )
    closed_at = None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status, closed_at=closed_at, resolution_code=ResolutionCode.SOLVED
    )
    return ticket


@pytest.fixture
def tickets(media, requester):
    with time_machine.travel(NOW - timedelta(days=100), tick=False):
        old = _ticket_with_files(requester, closed_days_ago=40, files=3)
        cancelled = _ticket_with_files(requester, closed_days_ago=31, status=TicketStatus.CANCELLED)
        recent = _ticket_with_files(requester, closed_days_ago=10)
        still_open = _ticket_with_files(
            requester, closed_days_ago=None, status=TicketStatus.IN_PROGRESS
        )
    return {"old": old, "cancelled": cancelled, "recent": recent, "open": still_open}


def test_purges_files_and_rows_of_tickets_closed_past_the_window_in_batches(
    settings, media, tickets, django_capture_on_commit_callbacks
):
    settings.ITSM_RETENTION_ATTACHMENT_DAYS = 30
    old_files = [Path(media) / a.file.name for a in Attachment.objects.filter(
        ticket__in=[tickets["old"], tickets["cancelled"]])]  # fmt: skip
    assert len(old_files) == 4 and all(path.exists() for path in old_files)

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        from itsm.privacy.services import attachment_retention_purge

        deleted = attachment_retention_purge(batch_size=2)  # three batches

    assert deleted == 4
    assert not any(path.exists() for path in old_files)
    remaining = set(Attachment.objects.values_list("ticket__number", flat=True))
    assert remaining == {tickets["recent"].number, tickets["open"].number}
    summary = AuditEvent.objects.get(action="attachments_purged")
    assert summary.changes == {"attachments_deleted": {"from": None, "to": 4}}
    assert "4 attachments of 2 ticket(s) closed more than 30 days ago" in summary.message
    # The tickets themselves stay.
    assert Ticket.objects.count() == 4


def test_the_window_moves_with_time_and_a_second_run_finds_nothing(settings, tickets):
    settings.ITSM_RETENTION_ATTACHMENT_DAYS = 30
    with time_machine.travel(NOW + timedelta(days=21), tick=False):
        assert tasks.attachment_retention_purge() == 5  # the recent one is now 31 days closed
        assert tasks.attachment_retention_purge() == 0
    assert AuditEvent.objects.filter(action="attachments_purged").count() == 1
    assert set(Attachment.objects.values_list("ticket", flat=True)) == {tickets["open"].pk}


def test_zero_days_keeps_everything(settings, tickets):
    settings.ITSM_RETENTION_ATTACHMENT_DAYS = 0
    with time_machine.travel(NOW + timedelta(days=3650), tick=False):
        assert tasks.attachment_retention_purge() == 0
    assert Attachment.objects.count() == 6
    assert not AuditEvent.objects.filter(action="attachments_purged").exists()


def test_the_beat_schedule_runs_the_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-attachment-retention"]
    assert entry["task"] == "itsm.privacy.tasks.attachment_retention_purge"
    assert entry["options"]["expires"] < 24 * 3600
