"""Time worked on tickets: log it (on its own or with a reply or work note), correct it,
delete it.

Time entries are bookkeeping next to the ticket, not an edit of it: logging time does not bump
the ticket's version (an agent's open page stays current), but every write is audited on the
ticket's timeline, so the history shows who logged, corrected or removed what.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from itsm.accounts.models import Team, User
from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import PermissionRefused
from itsm.core.permissions import actor_may, require_permission
from tickets import permissions as may
from tickets.exceptions import InvalidTicketInput
from tickets.models import TIME_ENTRY_MAX_MINUTES, Comment, Ticket, TimeEntry
from tickets.services.lifecycle import comment_add, ticket_reply_and_set

NOTE_MAX_CHARS = 500
MINUTES_NOT_A_NUMBER = "Enter the time worked as a whole number of minutes, e.g. 15."
MINUTES_TOO_FEW = "Time worked must be at least 1 minute."
MINUTES_TOO_MANY = (
    f"Time worked can be at most {TIME_ENTRY_MAX_MINUTES} minutes (24 hours) per entry; log "
    "longer work day by day."
)
_REFUSAL = "Only the service desk can log time on tickets."


def minutes_problem(minutes: Any) -> str | None:
    """What is wrong with `minutes` as time worked, in words for the agent, or None.

    The desk forms show the same words next to the field; the services refuse with them."""
    # bool is an int in Python: True must not become one minute.
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return MINUTES_NOT_A_NUMBER
    if minutes < 1:
        return MINUTES_TOO_FEW
    if minutes > TIME_ENTRY_MAX_MINUTES:
        return MINUTES_TOO_MANY
    return None


def _check_minutes(minutes: Any) -> int:
    problem = minutes_problem(minutes)
    if problem:
        raise InvalidTicketInput(problem, field="minutes")
    return int(minutes)


def _check_day(worked_on: date, ticket: Ticket) -> date:
    if worked_on > timezone.localdate():
        raise InvalidTicketInput("The day worked cannot be in the future.", field="worked_on")
    if worked_on < timezone.localdate(ticket.created_at):
        raise InvalidTicketInput(
            "The day worked cannot be before the ticket was raised.", field="worked_on"
        )
    return worked_on


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        raise InvalidTicketInput(
            f"Keep the note to {NOTE_MAX_CHARS} characters (it has {len(note)}).", field="note"
        )
    return note


def _team_for(ticket: Ticket, agent: User) -> Team | None:
    """The team the agent worked for: the ticket's team when they are in it, else their first."""
    teams = agent.teams.all()
    if ticket.assignment_team_id and teams.filter(pk=ticket.assignment_team_id).exists():
        return ticket.assignment_team
    return teams.order_by("name").first()


def _entry_values(entry: TimeEntry) -> dict[str, Any]:
    return {"minutes": entry.minutes, "worked_on": entry.worked_on, "note": entry.note}


def _may_edit(entry: TimeEntry, actor: User) -> None:
    require_permission(actor, may.LOG_TIME, refusal=_REFUSAL)
    if entry.agent_id != actor.pk and not actor_may(actor, may.MANAGE_TIME):
        raise PermissionRefused("You can only change the time you logged yourself.")


@transaction.atomic
def time_entry_log(
    *,
    ticket: Ticket,
    agent: User,
    minutes: Any,
    worked_on: date | None = None,
    note: str = "",
    comment: Comment | None = None,
) -> TimeEntry:
    """Log `minutes` the agent worked on the ticket (today unless `worked_on` says otherwise).

    Agents only (permission `tickets.add_timeentry`; requesters and read-only roles are
    refused). Minutes are bounded 1 … 24 h; the day may not be in the future nor before the
    ticket was raised. Writes a `time_logged` audit event on the ticket.
    """
    require_permission(agent, may.LOG_TIME, refusal=_REFUSAL)
    minutes = _check_minutes(minutes)
    worked_on = _check_day(worked_on or timezone.localdate(), ticket)
    note = _check_note(note)
    if comment is not None and comment.ticket_id != ticket.pk:
        raise InvalidTicketInput("That reply belongs to another ticket.", field="comment")
    entry = TimeEntry.objects.create(
        ticket=ticket,
        agent=agent,
        team=_team_for(ticket, agent),
        minutes=minutes,
        worked_on=worked_on,
        note=note,
        comment=comment,
    )
    logged = {k: v for k, v in _entry_values(entry).items() if v != ""}
    audit_record(
        record=ticket,
        actor=agent,
        action="time_logged",
        changes=field_changes({}, logged),
        message="With a reply or work note." if comment is not None else "",
    )
    return entry


@transaction.atomic
def time_entry_correct(
    *,
    entry: TimeEntry,
    actor: User,
    minutes: Any = None,
    worked_on: date | None = None,
    note: str | None = None,
) -> TimeEntry:
    """Correct an entry's minutes, day or note. One's own entries only, unless a manager
    (`tickets.delete_timeentry`). Audited on the ticket as `time_corrected` with from → to."""
    entry = TimeEntry.objects.select_for_update().select_related("ticket").get(pk=entry.pk)
    _may_edit(entry, actor)
    before = _entry_values(entry)
    if minutes is not None:
        entry.minutes = _check_minutes(minutes)
    if worked_on is not None:
        entry.worked_on = _check_day(worked_on, entry.ticket)
    if note is not None:
        entry.note = _check_note(note)
    changes = field_changes(before, _entry_values(entry))
    if not changes:
        return entry
    entry.save(update_fields=["minutes", "worked_on", "note"])
    audit_record(record=entry.ticket, actor=actor, action="time_corrected", changes=changes)
    return entry


@transaction.atomic
def time_entry_delete(*, entry: TimeEntry, actor: User) -> None:
    """Remove a time entry logged by mistake (own entries, or any as a manager); audited."""
    entry = TimeEntry.objects.select_for_update().select_related("ticket").get(pk=entry.pk)
    _may_edit(entry, actor)
    audit_record(
        record=entry.ticket,
        actor=actor,
        action="time_deleted",
        changes=field_changes(_entry_values(entry), {"minutes": None}),
        message=f"Entry by {entry.agent} removed.",
    )
    entry.delete()


@transaction.atomic
def ticket_reply_with_time(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    is_public: bool,
    minutes: Any,
    expected_version: int | None,
    files: Sequence[Any] = (),
    set_status: str = "",
    resolution_code: str = "",
) -> Comment:
    """A reply or work note (or "Reply and set") with the time it took, in one transaction:
    a refused time entry sends no reply, and a refused reply logs no time.

    The time is checked before the reply is written, so a bad value refuses cheaply and
    nobody is notified of a reply that is then rolled back (notifications leave on commit).
    """
    require_permission(author, may.LOG_TIME, refusal=_REFUSAL)
    _check_minutes(minutes)
    if set_status:
        comment = ticket_reply_and_set(
            ticket=ticket,
            author=author,
            body=body,
            set_status=set_status,
            resolution_code=resolution_code,
            files=files,
            expected_version=expected_version,
        )
    else:
        comment = comment_add(
            ticket=ticket,
            author=author,
            body=body,
            is_public=is_public,
            files=files,
            expected_version=expected_version,
        )
    time_entry_log(ticket=comment.ticket, agent=author, minutes=minutes, comment=comment)
    return comment


__all__ = [
    "MINUTES_NOT_A_NUMBER",
    "MINUTES_TOO_FEW",
    "MINUTES_TOO_MANY",
    "NOTE_MAX_CHARS",
    "minutes_problem",
    "ticket_reply_with_time",
    "time_entry_correct",
    "time_entry_delete",
    "time_entry_log",
]
