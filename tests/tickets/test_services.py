import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itsm.audit.models import AuditEvent
from itsm.core.exceptions import PermissionRefused, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.choices import TicketKind, TicketStatus
from tickets.exceptions import AttachmentRefused, InvalidTicketInput
from tickets.models import Attachment, Category, Comment, Ticket

pytestmark = pytest.mark.django_db


def resolve(ticket, actor, **extra):
    return services.ticket_transition(
        ticket=ticket,
        to_status=TicketStatus.RESOLVED,
        actor=actor,
        expected_version=ticket.version,
        resolution_code="solved",
        resolution_notes="Reset the VPN profile.",
        **extra,
    )


def test_numbers_come_from_a_sequence_per_kind(requester):
    incident = make_ticket(requester=requester)
    request = make_ticket(requester=requester, kind=TicketKind.REQUEST)
    assert re.fullmatch(r"INC\d{7}", incident.number)
    assert re.fullmatch(r"REQ\d{7}", request.number)


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"), [(1, 1, 1), (2, 2, 3), (3, 3, 5), (1, 3, 3)]
)
def test_priority_follows_the_itil_matrix(requester, impact, urgency, priority):
    assert make_ticket(requester=requester, impact=impact, urgency=urgency).priority == priority


def test_overriding_priority_needs_a_reason_and_is_audited(requester, agent):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput):
        services.ticket_set_priority(
            ticket=ticket, actor=agent, expected_version=1, priority=1, reason=" "
        )
    ticket = services.ticket_set_priority(
        ticket=ticket, actor=agent, expected_version=1, priority=1, reason="CEO's laptop"
    )
    assert ticket.priority == 1
    event = AuditEvent.objects.filter(record_id=ticket.pk, action="priority_overridden").get()
    assert event.changes["priority"] == {"from": 5, "to": 1}
    assert event.message == "CEO's laptop"


def test_requesters_cannot_override_priority(requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(PermissionRefused):
        services.ticket_set_priority(
            ticket=ticket, actor=requester, expected_version=1, priority=1, reason="urgent!"
        )


def test_resolving_requires_resolution_code_and_notes(requester, agent):
    ticket = make_ticket(requester=requester)
    with pytest.raises(TransitionNotAllowed, match="resolution code"):
        services.ticket_transition(
            ticket=ticket, to_status="resolved", actor=agent, expected_version=1
        )
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_status_changes_are_audited_with_from_and_to(requester, agent):
    ticket = make_ticket(requester=requester)
    ticket = services.ticket_transition(
        ticket=ticket,
        to_status="on_hold",
        actor=agent,
        expected_version=1,
        on_hold_reason="awaiting_vendor",
    )
    event = AuditEvent.objects.filter(record_id=ticket.pk, action="status_changed").get()
    assert event.actor == agent
    assert event.changes["status"] == {"from": "new", "to": "on_hold"}


def test_stale_version_is_refused_and_nothing_changes(requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_update(ticket=ticket, actor=agent, expected_version=1, impact=1)
    with pytest.raises(StaleVersion):
        services.ticket_update(ticket=ticket, actor=agent, expected_version=1, urgency=1)
    assert Ticket.objects.get(pk=ticket.pk).urgency == 3


def test_first_contact_resolution_only_without_reassignment(
    requester, agent, agent_other_team, service_desk_team, other_team
):
    quick = make_ticket(requester=requester)
    quick = services.ticket_assign(
        ticket=quick, actor=agent, expected_version=1, team=service_desk_team, assignee=agent
    )
    assert resolve(quick, agent).is_first_contact_resolution is True

    moved = make_ticket(requester=requester)
    moved = services.ticket_assign(
        ticket=moved, actor=agent, expected_version=1, team=service_desk_team, assignee=agent
    )
    moved = services.ticket_assign(
        ticket=moved,
        actor=agent,
        expected_version=moved.version,
        team=other_team,
        assignee=agent_other_team,
    )
    assert moved.reassignment_count == 1
    assert resolve(moved, agent_other_team).is_first_contact_resolution is False
    assert moved.assignments.count() == 2


def test_assignee_must_belong_to_the_team(requester, agent, other_team):
    ticket = make_ticket(requester=requester)
    with pytest.raises(InvalidTicketInput, match="not a member"):
        services.ticket_assign(
            ticket=ticket, actor=agent, expected_version=1, team=other_team, assignee=agent
        )


def test_requester_reply_reopens_within_the_window(requester, agent):
    ticket = resolve(make_ticket(requester=requester), agent)
    services.comment_add(ticket=ticket, author=requester, body="Still broken", is_public=True)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.reopen_count == 1


def test_requester_reply_after_the_window_does_not_reopen(requester, agent):
    ticket = resolve(make_ticket(requester=requester), agent)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        services.comment_add(ticket=ticket, author=requester, body="Thanks!", is_public=True)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_resolved_tickets_close_automatically_after_the_window(requester, agent):
    old = resolve(make_ticket(requester=requester), agent)
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        recent = resolve(make_ticket(requester=requester), agent)
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1), tick=False):
        assert services.tickets_auto_close() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (TicketStatus.CLOSED, TicketStatus.RESOLVED)
    assert old.closed_at is not None


def _closed_trail(ticket):
    """What closing `ticket` left behind: the audit event and the requester's outbox row."""
    event = AuditEvent.objects.get(
        record_id=ticket.pk, action="status_changed", changes__status__to="closed"
    )
    rows = Notification.objects.filter(
        record_id=ticket.pk, record_label=ticket.number, event="ticket_status_changed"
    ).filter(subject__contains="is now closed")
    return event.changes["status"], [(r.recipient_id, r.channel) for r in rows]


def test_auto_close_audits_and_notifies_the_requester_like_a_manual_close(requester, agent):
    manual = resolve(make_ticket(requester=requester), agent)
    automatic = resolve(make_ticket(requester=requester), agent)
    services.ticket_transition(
        ticket=manual, to_status=TicketStatus.CLOSED, actor=agent, expected_version=None
    )
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1), tick=False):
        assert services.tickets_auto_close() == 1
    assert _closed_trail(automatic) == _closed_trail(manual)
    assert _closed_trail(automatic)[1] == [(requester.pk, "email")]
    event = AuditEvent.objects.get(record_id=automatic.pk, changes__status__to="closed")
    assert (event.actor, event.message) == (None, "Closed automatically after the reopen window.")


def test_reply_on_hold_awaiting_requester_resumes_work(requester, agent):
    ticket = make_ticket(requester=requester)
    services.ticket_transition(
        ticket=ticket,
        to_status="on_hold",
        actor=agent,
        expected_version=1,
        on_hold_reason="awaiting_requester",
    )
    services.comment_add(ticket=ticket, author=requester, body="Here is the log", is_public=True)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_requesters_cannot_write_work_notes(requester):
    ticket = make_ticket(requester=requester)
    with pytest.raises(PermissionRefused):
        services.comment_add(ticket=ticket, author=requester, body="psst", is_public=False)


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("payload.exe", 10, "allowed types"),
        ("drawing.svg", 10, "allowed types"),
        ("huge.pdf", 11 * 1024 * 1024, "the limit is"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(requester, agent, name, size, message):
    ticket = make_ticket(requester=requester)
    upload = SimpleUploadedFile(name, b"x" * size)
    with pytest.raises(AttachmentRefused, match=message):
        services.comment_add(
            ticket=ticket, author=agent, body="see file", is_public=True, files=[upload]
        )
    assert Comment.objects.filter(ticket=ticket).count() == 0
    assert Attachment.objects.count() == 0


def test_attachments_get_safe_stored_names(requester, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(requester=requester)
    upload = SimpleUploadedFile("../../etc/passwd.txt", b"hello")
    comment = services.comment_add(
        ticket=ticket, author=agent, body="log", is_public=True, files=[upload]
    )
    attachment = comment.attachments.get()
    assert ".." not in attachment.file.name
    assert re.fullmatch(r"attachments/\d+/[0-9a-f]{32}\.txt", attachment.file.name)


def test_a_report_carries_its_files_under_the_same_checks_as_replies(requester, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(AttachmentRefused, match="allowed types"):
        services.ticket_create(
            actor=requester,
            requester=requester,
            short_description="Printer jammed",
            files=[SimpleUploadedFile("drawing.svg", b"<svg/>")],
        )
    assert Ticket.objects.count() == 0
    ticket = services.ticket_create(
        actor=requester,
        requester=requester,
        short_description="Printer jammed",
        files=[SimpleUploadedFile("tray.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")],
    )
    attachment = ticket.attachments.get()
    assert attachment.comment is None and attachment.uploaded_by == requester
    assert re.fullmatch(r"attachments/\d+/[0-9a-f]{32}\.png", attachment.file.name)


def test_unknown_category_or_foreign_subcategory_is_refused(requester, agent):
    network = Category.objects.create(name="Network")
    hardware = Category.objects.create(name="Hardware")
    laptop = Category.objects.create(name="Laptop", parent=hardware)
    with pytest.raises(InvalidTicketInput, match="subcategory"):
        make_ticket(requester=requester, actor=agent, category=network, subcategory=laptop)
    assert not Ticket.objects.exists()


def test_marking_a_duplicate_resolves_links_and_makes_the_requester_follow(
    requester, other_requester, agent
):
    original = make_ticket(requester=other_requester)
    duplicate = make_ticket(requester=requester)
    duplicate = services.ticket_mark_duplicate(ticket=duplicate, duplicate_of=original, actor=agent)
    assert duplicate.status == TicketStatus.RESOLVED
    assert duplicate.duplicate_of == original
    assert requester in original.watchers.all()
    assert original.number in duplicate.resolution_notes


def test_requester_cannot_raise_tickets_for_someone_else(requester, other_requester):
    with pytest.raises(PermissionRefused):
        make_ticket(requester=other_requester, actor=requester)


def test_parent_child_links_refuse_cycles(requester, agent):
    parent = make_ticket(requester=requester)
    child = make_ticket(requester=requester)
    services.ticket_link_parent(ticket=child, parent=parent, actor=agent)
    with pytest.raises(InvalidTicketInput):
        services.ticket_link_parent(ticket=parent, parent=child, actor=agent)
    assert list(parent.children.all()) == [child]
