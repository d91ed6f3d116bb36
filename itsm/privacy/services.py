"""Privacy requests and retention: export everything about one person, erase (pseudonymise) a
person, and purge the attachments of tickets closed long ago.

What erasure keeps, and why: the tickets themselves (numbers, kinds, statuses, categories,
services, priorities, dates, SLA clocks, time worked) stay, so the dashboards' counts and
compliance figures do not move; they describe the desk's work, not the person. The audit trail
stays row for row (ids, times, actions: a database trigger keeps it append-only); its actor is
the same user row, which now carries the pseudonym, so every timeline names the pseudonym.

What erasure removes: the person's name, e-mail and phone (replaced by a pseudonym), their own
words (the bodies of comments they wrote and the descriptions of tickets they raised become
REMOVED_TEXT; approval comments, survey comments and time-entry notes they wrote are emptied),
every file they uploaded (file and row), their watch-list entries, sessions and API tokens,
their sign-in records (allauth's e-mail addresses, linked SSO accounts, MFA authenticators,
sessions; django-axes' attempts and logs, where installed), and the notifications addressed
to them (each a copy of their name and e-mail address). The
account is deactivated with an unusable password. The ticket's short description stays: it
is the desk's summary of the case (agents rewrite it on triage) and names the record in
linked problems and changes; an administrator edits it by hand where it names the person.
"""

import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from itsm.accounts.models import User
from itsm.apitokens.models import PersonalAccessToken
from itsm.audit.models import AuditEvent
from itsm.audit.services import audit_record
from itsm.core.exceptions import GuardFailed, PermissionRefused
from itsm.notifications.models import Notification
from tickets.choices import TicketStatus
from tickets.mail.models import InboundMessage
from tickets.models import (
    Approval,
    Attachment,
    Comment,
    SatisfactionSurvey,
    Ticket,
    TimeEntry,
)

logger = logging.getLogger(__name__)

PRIVACY_PERMISSION = "accounts.handle_privacy_request"
REMOVED_TEXT = "[removed at the person's request]"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: a domain that can never receive mail
RETENTION_BATCH = 200


def _require(actor: User) -> None:
    if not actor.has_perm(PRIVACY_PERMISSION):
        raise PermissionRefused("Only an administrator may export or erase a person's data.")


def person_is_erased(person: User) -> bool:
    return person.email.endswith(f"@{ERASED_DOMAIN}")


def pseudonym_for(person: User) -> str:
    return f"Erased person {person.pk}"


# --- Export -------------------------------------------------------------------------------


def _tickets(queryset: QuerySet[Ticket]) -> Iterator[dict[str, Any]]:
    for ticket in queryset.select_related("category", "service").order_by("id").iterator():
        yield {
            "number": ticket.number,
            "kind": ticket.kind,
            "status": ticket.status,
            "short_description": ticket.short_description,
            "description": ticket.description,
            "category": str(ticket.category) if ticket.category else None,
            "service": str(ticket.service) if ticket.service else None,
            "priority": ticket.priority,
            "channel": ticket.channel,
            "created_at": ticket.created_at,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
        }


def _sessions(person: User) -> Iterator[dict[str, Any]]:
    """The person's open sessions: when each expires (never the session key, a credential)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(person.pk):
            yield {"expires_at": session.expire_date}


def _audit(queryset: QuerySet[AuditEvent]) -> Iterator[dict[str, Any]]:
    for event in queryset.select_related("record_type").order_by("id").iterator():
        yield {
            "id": event.pk,
            "occurred_at": event.occurred_at,
            "record": f"{event.record_type.app_label}.{event.record_type.model}",
            "record_label": event.record_label,
            "action": event.action,
            "changes": event.changes,
            "message": event.message,
        }


# Sign-in records kept by the sign-in libraries, where installed (allauth's e-mail addresses,
# linked single sign-on accounts, MFA authenticators and sessions; django-axes' attempts and
# logs): (app label, model, how the row names the person, fields exported — never a secret).
_SIGN_IN_RECORDS = [
    ("email_addresses", "account", "EmailAddress", "user", ["email", "verified", "primary"]),
    (
        "linked_sign_in_accounts",
        "socialaccount",
        "SocialAccount",
        "user",
        ["provider", "uid", "last_login", "date_joined", "extra_data"],
    ),
    ("mfa_methods", "mfa", "Authenticator", "user", ["type", "created_at", "last_used_at"]),
    (
        "browser_sessions",
        "usersessions",
        "UserSession",
        "user",
        ["created_at", "last_seen_at", "ip", "user_agent"],
    ),
    (
        "sign_in_attempts",
        "axes",
        "AccessAttempt",
        "email",
        ["attempt_time", "ip_address", "user_agent", "failures_since_start"],
    ),
    (
        "sign_in_failures",
        "axes",
        "AccessFailureLog",
        "email",
        ["attempt_time", "ip_address", "user_agent", "locked_out"],
    ),
    (
        "sign_in_log",
        "axes",
        "AccessLog",
        "email",
        ["attempt_time", "logout_time", "ip_address", "user_agent"],
    ),
]


def _sign_in_rows(person: User, *, email: str | None = None) -> Iterator[tuple[str, Any, Any]]:
    """(section, model, queryset of the person's rows) for each installed sign-in record."""
    for section, label, name, key, _fields in _SIGN_IN_RECORDS:
        try:
            model = apps.get_model(label, name)
        except LookupError:
            continue
        if key == "user":
            rows = model.objects.filter(user=person)
        else:
            rows = model.objects.filter(username__iexact=email or person.email)
        yield section, model, rows


def _sign_in_sections(person: User) -> Iterator[tuple[str, Iterable[Any]]]:
    fields = {section: names for section, *_rest, names in _SIGN_IN_RECORDS}
    for section, model, rows in _sign_in_rows(person):
        names = [n for n in fields[section] if n in {f.name for f in model._meta.fields}]
        yield section, (dict(row) for row in rows.order_by("pk").values(*names).iterator())


def _attachment_entry(attachment: Attachment) -> str:
    return f"attachments/{attachment.ticket.number}/{attachment.pk}-{attachment.original_name}"


def _sections(person: User) -> Iterator[tuple[str, Iterable[Any]]]:
    """(name, rows) for each part of the export, read lazily, one section at a time."""
    yield (
        "profile",
        [
            {
                "id": person.pk,
                "email": person.email,
                "display_name": person.display_name,
                "phone": person.phone,
                "timezone": person.timezone,
                "language": person.language,
                "is_active": person.is_active,
                "date_joined": person.date_joined,
                "last_login": person.last_login,
                "manager": str(person.manager) if person.manager_id else None,
                "teams": sorted(str(team) for team in person.teams.all()),
                "roles": sorted(group.name for group in person.groups.all()),
            }
        ],
    )
    yield "tickets_requested", _tickets(Ticket.objects.filter(requester=person))
    yield "tickets_watching", _tickets(person.watched_tickets.all())
    yield (
        "comments_written",
        _on_tickets(Comment.objects.filter(author=person), ("is_public", "body", "created_at")),
    )
    yield (
        "approvals",
        _on_tickets(Approval.objects.filter(approver=person), ("state", "comment", "decided_at")),
    )
    yield (
        "time_entries",
        _on_tickets(TimeEntry.objects.filter(agent=person), ("minutes", "worked_on", "note")),
    )
    yield (
        "satisfaction_answers",
        _on_tickets(
            SatisfactionSurvey.objects.filter(respondent=person),
            ("rating", "comment", "answered_at"),
        ),
    )
    yield (
        "attachments_uploaded",
        (
            {
                "ticket": attachment.ticket.number,
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": attachment.uploaded_at,
                "file_in_this_zip": _attachment_entry(attachment),
            }
            for attachment in _attachments_of(person)
        ),
    )
    yield (
        "audit_events_about_them",
        _audit(AuditEvent.objects.filter(record_type__model="user", record_id=person.pk)),
    )
    yield "audit_events_by_them", _audit(AuditEvent.objects.filter(actor=person))
    yield "sessions", _sessions(person)
    yield from _sign_in_sections(person)


def _on_tickets(queryset: QuerySet[Any], fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Records the person made on tickets (comments, approvals…): the ticket's number and
    `fields`, oldest first, read a chunk at a time."""
    for record in _ticket_records(queryset):
        yield {"ticket": record.ticket.number, **{name: getattr(record, name) for name in fields}}


def _ticket_records(queryset: QuerySet[Any]) -> Iterator[Any]:
    return queryset.select_related("ticket").order_by("id").iterator()


def _attachments_of(person: User) -> Iterator[Attachment]:
    return _ticket_records(Attachment.objects.filter(uploaded_by=person))


def _write_json(out: IO[bytes], person: User) -> None:
    """One JSON object, written section by section and row by row (never all in memory)."""
    encoder = DjangoJSONEncoder(ensure_ascii=False, indent=None)
    out.write(b'{"exported_at": ')
    out.write(encoder.encode(timezone.now()).encode())
    for name, rows in _sections(person):
        out.write(f',\n"{name}": ['.encode())
        for index, row in enumerate(rows):
            out.write((",\n" if index else "\n").encode())
            out.write(encoder.encode(row).encode())
        out.write(b"]")
    out.write(b"}\n")


@dataclass
class PersonExport:
    file: IO[bytes]  # a temporary file, positioned at the start; closing it removes it
    filename: str
    attachments: int


def person_export(*, actor: User, person: User) -> PersonExport:
    """Everything held about `person` as a ZIP (person.json + the files they uploaded), in a
    temporary file on disk: large attachments are copied through, never held in memory."""
    import zipfile

    _require(actor)
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    count = 0
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        with zipped.open("person.json", "w", force_zip64=True) as out:
            _write_json(out, person)
        for attachment in _attachments_of(person):
            try:
                source = attachment.file.open("rb")
            except FileNotFoundError:
                logger.warning("privacy export: file of attachment %s is missing", attachment.pk)
                continue
            with source, zipped.open(_attachment_entry(attachment), "w", force_zip64=True) as out:
                for chunk in source.chunks():
                    out.write(chunk)
            count += 1
    archive.seek(0)
    with transaction.atomic():
        audit_record(
            record=person,
            actor=actor,
            action="personal_data_exported",
            message=f"Everything held about this person exported ({count} files).",
        )
    day = timezone.localdate().isoformat()
    return PersonExport(file=archive, filename=f"person-{person.pk}-{day}.zip", attachments=count)


# --- Erasure ------------------------------------------------------------------------------


@dataclass
class ErasureSummary:
    pseudonym: str
    tickets: int
    comments: int
    attachments: int


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete stored file %s (row already gone)", name)


@transaction.atomic
def person_erase(*, actor: User, person: User) -> ErasureSummary:
    """Pseudonymise `person` and remove their own words and files (module docstring)."""
    _require(actor)
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.pk == actor.pk:
        raise GuardFailed("You cannot erase your own account; ask another administrator.")
    if person_is_erased(person):
        raise GuardFailed(f"{person} has already been erased.")
    old_email = person.email
    pseudonym = pseudonym_for(person)

    person.display_name = pseudonym
    person.email = f"erased-{person.pk}@{ERASED_DOMAIN}"
    person.phone = ""
    person.is_active = False
    person.set_unusable_password()
    person.save(update_fields=["display_name", "email", "phone", "is_active", "password"])
    person.groups.clear()
    person.teams.clear()

    tickets = Ticket.objects.filter(requester=person).exclude(description="")
    ticket_count = tickets.update(description=REMOVED_TEXT, version=F("version") + 1)
    comment_count = Comment.objects.filter(author=person).update(body=REMOVED_TEXT)
    Approval.objects.filter(approver=person).exclude(comment="").update(comment=REMOVED_TEXT)
    SatisfactionSurvey.objects.filter(respondent=person).update(comment="")
    TimeEntry.objects.filter(agent=person).update(note="")
    person.watched_tickets.clear()
    InboundMessage.objects.filter(sender__iexact=old_email).update(sender=person.email)
    Notification.objects.filter(Q(recipient=person) | Q(target__iexact=old_email)).delete()
    PersonalAccessToken.objects.filter(owner=person).delete()
    for _section, _model, rows in _sign_in_rows(person, email=old_email):
        rows.delete()
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(person.pk):
            session.delete()

    attachments = Attachment.objects.filter(uploaded_by=person)
    names = [name for name in attachments.values_list("file", flat=True) if name]
    attachment_count = attachments.count()
    attachments.delete()
    # Files go only once the rows' deletion is committed: a rollback keeps both.
    transaction.on_commit(lambda: _delete_files(names))

    audit_record(
        record=person,
        actor=actor,
        action="personal_data_erased",
        changes={
            "tickets_described": {"from": None, "to": ticket_count},
            "comments_removed": {"from": None, "to": comment_count},
            "attachments_deleted": {"from": None, "to": attachment_count},
        },
        message=(
            "Name, e-mail and phone replaced by a pseudonym; their own words and files removed; "
            "account deactivated. Tickets, statistics and this trail are kept."
        ),
    )
    return ErasureSummary(
        pseudonym=pseudonym,
        tickets=ticket_count,
        comments=comment_count,
        attachments=attachment_count,
    )


# --- Retention ----------------------------------------------------------------------------


def _retention_cutoff() -> Any:
    days = settings.ITSM_RETENTION_ATTACHMENT_DAYS
    return None if days <= 0 else timezone.now() - timedelta(days=days)


@transaction.atomic
def attachment_retention_purge_batch(*, batch_size: int = RETENTION_BATCH) -> tuple[int, set[int]]:
    """Delete one batch of attachments of tickets closed (or cancelled) more than
    ITSM_RETENTION_ATTACHMENT_DAYS ago: (rows deleted, ids of their tickets)."""
    cutoff = _retention_cutoff()
    if cutoff is None:
        return 0, set()
    rows = list(
        Attachment.objects.filter(
            ticket__status__in=[TicketStatus.CLOSED, TicketStatus.CANCELLED],
            ticket__closed_at__lt=cutoff,
        )
        .order_by("id")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("id", "file", "ticket_id")[:batch_size]
    )
    if not rows:
        return 0, set()
    Attachment.objects.filter(id__in=[row[0] for row in rows]).delete()
    names = [row[1] for row in rows if row[1]]
    transaction.on_commit(lambda: _delete_files(names))
    return len(rows), {row[2] for row in rows}


def attachment_retention_purge(*, batch_size: int = RETENTION_BATCH) -> int:
    """Purge in batches (each its own transaction) until none is left; one audit entry sums
    up the run. Returns the number of attachments deleted."""
    deleted = 0
    tickets: set[int] = set()
    while True:
        count, batch = attachment_retention_purge_batch(batch_size=batch_size)
        if not count:
            break
        deleted += count
        tickets |= batch
    if deleted:
        tickets_count = len(tickets)
        days = settings.ITSM_RETENTION_ATTACHMENT_DAYS
        with transaction.atomic():
            audit_record(
                record=_retention_record(),
                actor=None,
                action="attachments_purged",
                changes={"attachments_deleted": {"from": None, "to": deleted}},
                message=(
                    f"Retention: {deleted} attachments of {tickets_count} ticket(s) closed "
                    f"more than {days} days ago deleted (files and rows)."
                ),
            )
    return deleted


def _retention_record() -> Any:
    """The record a retention run's summary is filed under: the site's desk policy."""
    from tickets.models import DeskPolicy

    return DeskPolicy.objects.order_by("pk").first() or DeskPolicy.objects.create()
