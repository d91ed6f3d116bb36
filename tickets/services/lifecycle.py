"""A ticket's own life: raise, edit and triage, prioritise, assign, move through its states,
converse, and close on its own once the reopen window has passed."""

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from itsm.accounts.models import Team, User
from itsm.audit.services import audit_record, field_changes
from itsm.core.cache import cached, forget
from itsm.core.exceptions import PermissionRefused, TransitionNotAllowed
from itsm.core.locking import lock_for_update
from itsm.core.permissions import actor_may, require_permission
from tickets import notify, workflow
from tickets import permissions as may
from tickets.attachments import check_upload, stored_name_for
from tickets.choices import (
    DEFAULT_PRIORITY_MATRIX,
    Channel,
    OnHoldReason,
    ReplyAndSet,
    ResolutionCode,
    TaskStatus,
    TicketKind,
    TicketStatus,
)
from tickets.exceptions import InvalidTicketInput
from tickets.fields import TICKET_EDITABLE_FIELDS
from tickets.mentions import mentions_resolve
from tickets.models import (
    Attachment,
    Category,
    Comment,
    DeskPolicy,
    PriorityRule,
    Ticket,
    TicketAssignment,
)
from tickets.services.inline import inline_images_claim
from tickets.sla import services as sla_services

# The one list of what `ticket_update` may change (forms and serializers check against it).
EDITABLE_FIELDS = TICKET_EDITABLE_FIELDS
# The ones that are columns of the ticket row (watchers are a many-to-many).
_COLUMN_FIELDS = tuple(name for name in EDITABLE_FIELDS if name != "watchers")


# --- Helpers ---


PRIORITY_MATRIX_KEY = "tickets:priority-matrix"


def priority_matrix_forget() -> None:
    forget(PRIORITY_MATRIX_KEY)


def _priority_rules() -> dict[tuple[int, int], int]:
    return {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}


def priority_for(*, impact: int, urgency: int) -> int:
    """ITIL: priority = f(impact, urgency), read from the admin-configurable PriorityRule
    (nine rows at most, cached until one changes: tickets.signals)."""
    rules = cached(PRIORITY_MATRIX_KEY, seconds=3600, compute=_priority_rules)
    if (impact, urgency) in rules:
        return rules[(impact, urgency)]
    if (impact, urgency) not in DEFAULT_PRIORITY_MATRIX:
        raise InvalidTicketInput(f"No priority is defined for impact {impact} × urgency {urgency}.")
    return DEFAULT_PRIORITY_MATRIX[(impact, urgency)]


def desk_policy() -> DeskPolicy:
    return DeskPolicy.objects.first() or DeskPolicy(reopen_window_days=7)


def _lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    return lock_for_update(Ticket.objects.all(), pk=ticket.pk, expected_version=expected_version)


def _snapshot(ticket: Ticket, names: Iterable[str]) -> dict[str, Any]:
    return {
        name: _watcher_names(ticket) if name == "watchers" else getattr(ticket, name)
        for name in names
    }


def _watcher_names(ticket: Ticket) -> list[str]:
    # Audited as the list of people, so the timeline shows who was added or removed.
    return sorted(str(user) for user in ticket.watchers.all())


def _save(
    ticket: Ticket,
    *,
    actor: Any,
    action: str,
    before: dict[str, Any],
    message: str = "",
    fields: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """Bump the version, save, and audit the differences (with the version step)."""
    after = _snapshot(ticket, before)
    changes = field_changes(before, after)
    ticket.version += 1
    changes["version"] = {"from": ticket.version - 1, "to": ticket.version}
    ticket.save()
    audit_record(record=ticket, actor=actor, action=action, changes=changes, message=message)
    return changes


def _validate_classification(
    *, category: Category | None, subcategory: Category | None, service: Any, ci: Any
) -> None:
    if category is not None and (category.parent_id is not None or not category.is_active):
        raise InvalidTicketInput("Choose an active top-level category.", field="category")
    if subcategory is not None and (category is None or subcategory.parent_id != category.pk):
        raise InvalidTicketInput(
            "The subcategory does not belong to the chosen category.", field="subcategory"
        )
    if ci is not None and service is not None and ci.service_id not in (None, service.pk):
        raise InvalidTicketInput(f"{ci} is part of {ci.service}, not {service}.", field="ci")


def _sla_relevant_change(before: dict[str, Any], ticket: Ticket) -> bool:
    """Whether an edit touched what SLA policies match on (priority, service, category)."""
    return any(
        _plain_pk(before.get(name)) != _plain_pk(getattr(ticket, name))
        for name in ("priority", "service", "category")
    )


def _plain_pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _require_own_or_desk(ticket: Ticket, actor: User, *, desk_permission: str) -> bool:
    """Let the desk (holding `desk_permission`) or the ticket's requester act; True for the desk.

    Anyone else is refused. The API and pages have already answered 404 to people who cannot
    see the ticket; this is the service's own check for every other caller.
    """
    if actor_may(actor, desk_permission):
        return True
    if ticket.requester_id != actor.pk:
        raise PermissionRefused("Only the requester or the service desk can change this ticket.")
    require_permission(actor, may.RAISE_OWN, refusal="You cannot change tickets.")
    return False


def _check_length(text: str, *, limit: int, field: str, what: str) -> None:
    """Refuse text longer than the configured limit, with a message the sender can act on."""
    if len(text) > limit:
        raise InvalidTicketInput(
            f"The {what} is {len(text):,} characters long; the limit is {limit:,}. "
            "Shorten it, or attach long logs as a file.",
            field=field,
        )


def _check_description(description: str) -> None:
    _check_length(
        description,
        limit=settings.ITSM_DESCRIPTION_MAX_CHARS,
        field="description",
        what="description",
    )


def _validate_assignment(team: Team | None, assignee: User | None) -> None:
    if assignee is not None:
        if team is None:
            raise InvalidTicketInput("Choose the team the agent works in.", field="assignment_team")
        if not team.members.filter(pk=assignee.pk).exists():
            raise InvalidTicketInput(f"{assignee} is not a member of {team}.", field="assignee")


def _store_attachments(
    ticket: Ticket,
    files: Sequence[Any],
    content_types: Sequence[str],
    *,
    uploader: User,
    comment: Comment | None = None,
) -> list[Attachment]:
    """Store uploads checked by `check_upload` (which read their `content_types` from the
    bytes, never the sender's claim) on the ticket (on `comment`, or on the report itself)."""
    stored_attachments = []
    for upload, content_type in zip(files, content_types, strict=True):
        stored = stored_name_for(upload.name)
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            stored_name=stored,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=uploader,
        )
        attachment.file.save(stored, upload, save=False)
        attachment.save()
        stored_attachments.append(attachment)
    return stored_attachments


# A create form's editor names an image it added to the form's files: ![x](attached:NAME).
_ATTACHED_IMAGE = re.compile(r"\]\(attached:([^)\s]+)\)")


def _show_attached_images_inline(ticket: Ticket, attachments: Sequence[Attachment]) -> None:
    """Point the description's `attached:NAME` images at the attachments just stored under
    those names (images only; any other name is left as the text says)."""
    images = {a.original_name: a for a in attachments if a.content_type in Attachment.PREVIEW_TYPES}

    def address(match: re.Match[str]) -> str:
        attachment = images.get(match.group(1))
        return f"](/attachments/{attachment.pk}/)" if attachment else match.group(0)

    shown = _ATTACHED_IMAGE.sub(address, ticket.description)
    if shown != ticket.description:
        ticket.description = shown
        Ticket.objects.filter(pk=ticket.pk).update(description=shown)


# --- Create and edit ---


_RELATIONS_CHECKED_ON_CREATE = (
    "requester",
    "created_by",
    "category",
    "subcategory",
    "service",
    "ci",
    "assignment_team",
    "assignee",
    "first_assignee",
    "catalog_item",
)


@transaction.atomic
def ticket_create(
    *,
    actor: User,
    requester: User,
    short_description: str,
    description: str = "",
    kind: str = TicketKind.INCIDENT,
    channel: str = Channel.PORTAL,
    category: Category | None = None,
    subcategory: Category | None = None,
    service: Any = None,
    ci: Any = None,
    impact: int = 3,
    urgency: int = 3,
    assignment_team: Team | None = None,
    assignee: User | None = None,
    catalog_item: Any = None,
    form_data: dict[str, Any] | None = None,
    files: Sequence[Any] = (),
) -> Ticket:
    """Raise an incident or a service request; numbers come from the kind's sequence.

    Writes a `created` audit event, an assignment record when assigned at once, the
    requester's acknowledgement and the assignment notification. `files` (a screenshot
    with the report) pass the same checks as a reply's attachments before anything is saved.
    """
    if not short_description.strip():
        raise InvalidTicketInput("Describe the problem in a few words.", field="short_description")
    _check_description(description)
    if requester != actor:
        require_permission(
            actor, may.RAISE_FOR_OTHERS, refusal="You can only raise tickets for yourself."
        )
    elif not actor_may(actor, may.RAISE_FOR_OTHERS):
        require_permission(actor, may.RAISE_OWN, refusal="You cannot raise tickets.")
    content_types = [check_upload(upload) for upload in files]
    _validate_classification(category=category, subcategory=subcategory, service=service, ci=ci)
    _validate_assignment(assignment_team, assignee)
    if assignment_team is None and service is not None:
        assignment_team = service.support_team
    ticket = Ticket(
        kind=kind,
        requester=requester,
        created_by=actor,
        channel=channel,
        short_description=short_description.strip(),
        description=description,
        category=category,
        subcategory=subcategory,
        service=service,
        ci=ci,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact=impact, urgency=urgency),
        assignment_team=assignment_team,
        assignee=assignee,
        first_assignee=assignee,
        catalog_item=catalog_item,
        form_data=form_data or {},
    )
    ticket.assign_number()
    # The relations were read and checked above (each one a query if validated again); the
    # check constraints are about on-hold and resolved tickets, never a new one, and the
    # database holds them anyway.
    ticket.full_clean(exclude=["number", *_RELATIONS_CHECKED_ON_CREATE], validate_constraints=False)
    # The clocks are planned first, so the ticket's INSERT carries their due instant.
    clocks = sla_services.sla_clocks_planned(ticket=ticket)
    ticket.save()
    # Nobody watches a ticket that did not exist a moment ago: no query to find that out.
    vars(ticket)["_prefetched_objects_cache"] = {"watchers": User.objects.none()}
    stored = _store_attachments(ticket, files, content_types, uploader=actor)
    if stored and "](attached:" in ticket.description:
        _show_attached_images_inline(ticket, stored)
    audit_record(
        record=ticket,
        actor=actor,
        action="created",
        changes={"status": {"from": None, "to": ticket.status}, "version": {"from": None, "to": 1}},
    )
    if assignment_team is not None or assignee is not None:
        TicketAssignment.objects.create(
            ticket=ticket, team=assignment_team, assignee=assignee, assigned_by=actor
        )
        notify.ticket_assigned(ticket)
    notify.ticket_created(ticket)
    sla_services.sla_clocks_store(clocks)
    return ticket


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, actor: User, expected_version: int | None, **fields: Any
) -> Ticket:
    """Re-triage a ticket: what it is about, who asked, through which channel, who follows it.

    Takes any of `TICKET_EDITABLE_FIELDS`. Impact/urgency re-derive the priority unless an
    agent overrode it (the override and its reason stay). Audited as `updated` with each field
    from → to (watchers as the list of people); the SLA policy is re-matched when what
    policies match on (priority, service, category) changed.
    """
    require_permission(actor, may.CHANGE, refusal="Only the service desk can edit tickets.")
    ticket = _lock(ticket, expected_version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidTicketInput(
            f"These fields cannot be edited here: {', '.join(sorted(unknown))}."
        )
    if not ticket.is_open:
        raise TransitionNotAllowed("A resolved, closed or cancelled ticket cannot be edited.")
    if "description" in fields:
        _check_description(fields["description"] or "")
    _check_choice(fields, "channel", Channel)
    if "channel" in fields and not fields["channel"]:
        raise InvalidTicketInput("Choose the channel the ticket came in by.", field="channel")
    if "requester" in fields:
        _check_requester(fields["requester"])
    watchers = fields.pop("watchers", None)
    before = _snapshot(
        ticket, (*_COLUMN_FIELDS, "priority", *(("watchers",) if watchers is not None else ()))
    )
    for name, value in fields.items():
        setattr(ticket, name, value)
    if "short_description" in fields and not str(ticket.short_description).strip():
        raise InvalidTicketInput("Describe the problem in a few words.", field="short_description")
    _validate_classification(
        category=ticket.category,
        subcategory=ticket.subcategory,
        service=ticket.service,
        ci=ticket.ci,
    )
    if not ticket.priority_override_reason:
        ticket.priority = priority_for(impact=ticket.impact, urgency=ticket.urgency)
    ticket.full_clean(exclude=["number", "catalog_item"])
    if watchers is not None:
        ticket.watchers.set(watchers)
    if "description" in fields:
        inline_images_claim(ticket=ticket, author=actor, text=ticket.description)
    _save(ticket, actor=actor, action="updated", before=before)
    if _sla_relevant_change(before, ticket):
        sla_services.sla_reevaluate(ticket=ticket, actor=actor)
    return ticket


def _check_requester(requester: User | None) -> None:
    if requester is None or not requester.is_active:
        raise InvalidTicketInput(
            "Choose an active person as the requester: the one who is affected.",
            field="requester",
        )


@transaction.atomic
def ticket_set_priority(
    *, ticket: Ticket, actor: User, expected_version: int | None, priority: int, reason: str
) -> Ticket:
    """Override the matrix priority. Only agents, and only with a reason (audited)."""
    require_permission(
        actor, may.CHANGE, refusal="Only the service desk can change a ticket's priority."
    )
    if not reason.strip():
        raise InvalidTicketInput("Say why the priority differs from the matrix.", field="reason")
    ticket = _lock(ticket, expected_version)
    before = _snapshot(ticket, ("priority", "priority_override_reason"))
    ticket.priority = priority
    ticket.priority_override_reason = reason.strip()
    _save(ticket, actor=actor, action="priority_overridden", before=before, message=reason.strip())
    if before["priority"] != ticket.priority:
        sla_services.sla_reevaluate(ticket=ticket, actor=actor)
    return ticket


# --- Assignment ---


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    expected_version: int | None,
    team: Team | None,
    assignee: User | None = None,
) -> Ticket:
    """Route the ticket to a team and optionally one of its agents.

    A move after the first assignment counts as a reassignment (a desk metric, and it rules
    out first-contact resolution). Notifies the new assignee, or the team when unassigned.
    """
    require_permission(actor, may.CHANGE, refusal="Only the service desk can assign tickets.")
    ticket = _lock(ticket, expected_version)
    if not ticket.is_open:
        raise TransitionNotAllowed("Reopen the ticket before assigning it.")
    _validate_assignment(team, assignee)
    if (team, assignee) == (ticket.assignment_team, ticket.assignee):
        return ticket
    before = _snapshot(ticket, ("assignment_team", "assignee", "reassignment_count"))
    was_assigned = ticket.assignments.exists()
    if was_assigned:
        ticket.reassignment_count += 1
    if ticket.first_assignee_id is None and assignee is not None:
        ticket.first_assignee = assignee
    ticket.assignment_team = team
    ticket.assignee = assignee
    _save(ticket, actor=actor, action="assigned", before=before)
    TicketAssignment.objects.create(ticket=ticket, team=team, assignee=assignee, assigned_by=actor)
    notify.ticket_assigned(ticket)
    if assignee is not None:
        ticket = _start_work_if_new(ticket, actor, reason=f"Assigned to {assignee}.")
    return ticket


def _start_work_if_new(ticket: Ticket, actor: User, *, reason: str) -> Ticket:
    """An agent taking the ticket, or answering its requester, has started work on it: a New
    ticket moves to In progress. The move goes through `ticket_transition` (the one path that
    changes status), so it is audited and the SLA clocks follow; where the life cycle refuses
    it (a request still awaiting approval) the ticket simply stays New."""
    if ticket.status != TicketStatus.NEW or not actor_may(actor, may.CHANGE):
        return ticket
    if workflow.refusal(ticket, TicketStatus.IN_PROGRESS, is_staff=True, fields={}) is not None:
        return ticket
    return ticket_transition(
        ticket=ticket,
        to_status=TicketStatus.IN_PROGRESS,
        actor=actor,
        expected_version=None,
        reason=reason,
    )


# --- Life cycle ---


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to_status: str,
    actor: User | None,
    expected_version: int | None,
    **fields: Any,
) -> Ticket:
    """The one code path that changes `status` (table and guards in tickets.workflow).

    Fields: `on_hold_reason` (hold), `resolution_code` + `resolution_notes` (resolve),
    `reason` (cancel, reopen). Resolving sets first-contact resolution when the first
    assignee resolves without any reassignment. `actor=None` is the system itself (automatic
    moves such as resuming on a requester's reply, or fulfilment finishing a request).
    """
    ticket = _lock(ticket, expected_version)
    is_staff = actor is None or _require_own_or_desk(ticket, actor, desk_permission=may.CHANGE)
    open_tasks = ticket.tasks.filter(status__in=[TaskStatus.WAITING, TaskStatus.OPEN]).count()
    if message := workflow.refusal(
        ticket, to_status, is_staff=is_staff, fields={**fields, "open_task_count": open_tasks}
    ):
        raise TransitionNotAllowed(message, field="to_status")
    _check_choice(fields, "on_hold_reason", OnHoldReason)
    _check_choice(fields, "resolution_code", ResolutionCode)
    before = _snapshot(ticket, ("status", "on_hold_reason", "resolution_code", "resolution_notes"))
    from_status = ticket.status
    ticket.status = to_status
    now = timezone.now()
    if to_status == TicketStatus.ON_HOLD:
        ticket.on_hold_reason = fields["on_hold_reason"]
    else:
        ticket.on_hold_reason = ""
    if to_status == TicketStatus.RESOLVED:
        ticket.resolution_code = fields["resolution_code"]
        ticket.resolution_notes = fields["resolution_notes"].strip()
        if actor is not None:
            inline_images_claim(ticket=ticket, author=actor, text=ticket.resolution_notes)
        ticket.resolved_at = now
        ticket.resolved_by = actor
        ticket.is_first_contact_resolution = (
            ticket.reassignment_count == 0
            and actor is not None
            and ticket.first_assignee_id in (None, actor.pk)
            and is_staff
        )
    if to_status == TicketStatus.CLOSED:
        ticket.closed_at = now
    if to_status == TicketStatus.CANCELLED:
        ticket.closed_at = now
        ticket.resolution_code = ticket.resolution_code or ResolutionCode.REJECTED
        # Shown to the requester as "why this was closed" (e.g. an approver's rejection).
        ticket.resolution_notes = str(fields.get("reason") or "").strip()
    if from_status == TicketStatus.RESOLVED and to_status == TicketStatus.IN_PROGRESS:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.resolved_by = None
        ticket.resolution_code = ""
        ticket.is_first_contact_resolution = False
    _save(
        ticket,
        actor=actor,
        action="status_changed",
        before=before,
        message=str(fields.get("reason") or fields.get("resolution_notes") or "").strip(),
    )
    sla_services.sla_on_status_change(ticket=ticket, from_status=from_status)
    notify.ticket_status_changed(ticket, from_status=from_status)
    return ticket


def _check_choice(fields: dict[str, Any], name: str, choices: type[models.Choices]) -> None:
    value = fields.get(name)
    if value and value not in choices.values:
        raise InvalidTicketInput(f"“{value}” is not a valid {name.replace('_', ' ')}.", field=name)


# --- Conversation ---


@transaction.atomic
def comment_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    is_public: bool,
    files: Sequence[Any] = (),
    expected_version: int | None = None,
    held_for_desk: bool = False,
) -> Comment:
    """Add a public reply or a work note, with attachments checked before anything is saved.

    A requester's reply reopens a resolved ticket within the reopen window, and resumes a
    ticket on hold awaiting the requester. Requesters can only write public replies. The desk
    sends the version the agent read (a stale one is a 409: someone else acted first, and the
    agent should see that before the requester hears from two people); channels without one
    (portal, email) pass None.

    A work note's @mentions (tickets.mentions) notify the agents and teams named; one naming
    somebody who cannot read work notes is refused before anything is saved.

    `held_for_desk` is the e-mail channel's reply from someone who is neither on the ticket
    nor on the desk: kept as a work note for the desk to read, whoever the author is.
    """
    is_staff = actor_may(author, may.COMMENT)
    if held_for_desk:
        is_public = False
    elif not is_staff and not is_public:
        raise PermissionRefused("Only the service desk can write work notes.")
    if not is_staff and not held_for_desk:
        if ticket.requester_id != author.pk and not ticket.watchers.filter(pk=author.pk).exists():
            raise PermissionRefused("You cannot comment on this ticket.")
        require_permission(author, may.RAISE_OWN, refusal="You cannot comment on tickets.")
    if not body.strip():
        raise InvalidTicketInput("Write something before sending.", field="body")
    _check_length(body.strip(), limit=settings.ITSM_COMMENT_MAX_CHARS, field="body", what="message")
    # Before anything is saved: a mention of someone who cannot read the note refuses it.
    mentions = mentions_resolve(body) if is_staff and not is_public and not held_for_desk else None
    # The content type as read from the bytes, never the sender's claim.
    content_types = [check_upload(upload) for upload in files]
    ticket = _lock(ticket, expected_version)
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise TransitionNotAllowed(
            "This ticket is closed. Raise a new one and mention its number.", field="body"
        )
    comment = Comment.objects.create(
        ticket=ticket, author=author, body=body.strip(), is_public=is_public
    )
    _store_attachments(ticket, files, content_types, uploader=author, comment=comment)
    inline_images_claim(ticket=ticket, author=author, text=comment.body, comment=comment)
    before = _snapshot(ticket, ("last_public_activity_at",))
    if is_public:
        ticket.last_public_activity_at = comment.created_at
    _save(
        ticket,
        actor=author,
        action="reply_added" if is_public else "work_note_added",
        before=before,
    )
    if is_public:
        notify.ticket_replied(ticket, comment)
        sla_services.sla_on_public_reply(ticket=ticket, author=author)
        if is_staff:
            _start_work_if_new(ticket, author, reason="Work started with a reply.")
    if mentions is not None and (mentioned := mentions.recipients(author=author)):
        notify.ticket_mentioned(ticket, comment, mentioned)
    if not held_for_desk:
        _react_to_requester_reply(ticket, author)
    return comment


@transaction.atomic
def ticket_attach_source_message(
    *, ticket: Ticket, comment: Comment | None, raw: bytes, uploader: User
) -> Attachment:
    """Keep the raw e-mail a ticket or reply came from, for the desk only (`is_internal`).

    Not an upload: it is the message itself, kept whole so nothing the parser dropped is
    lost, and requesters never see it (selectors filter internal attachments out)."""
    stored = f"{uuid.uuid4().hex}.eml"
    attachment = Attachment(
        ticket=ticket,
        comment=comment,
        stored_name=stored,
        original_name="original-message.eml",
        content_type="message/rfc822",
        size=len(raw),
        uploaded_by=uploader,
        is_internal=True,
    )
    attachment.file.save(stored, ContentFile(raw), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def ticket_reply_and_set(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    set_status: str,
    expected_version: int | None,
    resolution_code: str = "",
    files: Sequence[Any] = (),
) -> Comment:
    """Answer the requester and move the ticket in one step (the desk's "Reply and set").

    `awaiting_requester` puts the ticket on hold awaiting the requester (its resolution clock
    pauses until they reply); `resolved` resolves it with `resolution_code` and the reply as
    the resolution notes. One transaction: when the move is refused, no reply is sent either.
    Returns the reply.
    """
    require_permission(author, may.CHANGE, refusal="Only the service desk can set the status.")
    if set_status not in ReplyAndSet.values:
        raise InvalidTicketInput(
            f"“{set_status}” is not a status a reply can set.", field="set_status"
        )
    comment = comment_add(
        ticket=ticket,
        author=author,
        body=body,
        is_public=True,
        files=files,
        expected_version=expected_version,
    )
    if set_status == ReplyAndSet.AWAITING_REQUESTER:
        ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.ON_HOLD,
            actor=author,
            expected_version=None,
            on_hold_reason=OnHoldReason.AWAITING_REQUESTER,
        )
    else:
        ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.RESOLVED,
            actor=author,
            expected_version=None,
            resolution_code=resolution_code,
            resolution_notes=body,
        )
    return comment


def _react_to_requester_reply(ticket: Ticket, author: User) -> None:
    if author.pk != ticket.requester_id:
        return
    if (
        ticket.status == TicketStatus.RESOLVED
        and ticket.resolved_at
        and (
            timezone.now() - ticket.resolved_at <= timedelta(days=desk_policy().reopen_window_days)
        )
    ):
        ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.IN_PROGRESS,
            actor=author,
            expected_version=None,
            reason="The requester replied after resolution.",
        )
    elif (
        ticket.status == TicketStatus.ON_HOLD
        and ticket.on_hold_reason == OnHoldReason.AWAITING_REQUESTER
    ):
        ticket_transition(
            ticket=ticket,
            to_status=TicketStatus.IN_PROGRESS,
            actor=None,
            expected_version=None,
            reason="The requester replied.",
        )


# --- Links and watchers ---


AUTO_CLOSE_BATCH = 500


def tickets_auto_close() -> int:
    """Close resolved tickets whose reopen window has passed; returns how many were closed.

    Each close is a move by the system through `ticket_transition`, so it is audited, stops
    the clocks and tells the requester exactly like a manual close. Batches are claimed with
    SKIP LOCKED so an agent reopening one at the same moment, or a second beat run, never
    collides with this sweep.
    """
    cutoff = timezone.now() - timedelta(days=desk_policy().reopen_window_days)
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lte=cutoff)
                .select_for_update(skip_locked=True)
                .order_by("resolved_at")[:AUTO_CLOSE_BATCH]
            )
            for ticket in batch:
                # Already locked by this transaction: the transition's own lock is a no-op.
                ticket_transition(
                    ticket=ticket,
                    to_status=TicketStatus.CLOSED,
                    actor=None,
                    expected_version=None,
                    reason="Closed automatically after the reopen window.",
                )
        closed += len(batch)
        if len(batch) < AUTO_CLOSE_BATCH:
            return closed
