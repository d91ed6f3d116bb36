"""Major incidents: declare, keep stakeholders informed on a cadence, let requesters join,
resolve everything together, review afterwards (DESIGN §1 "Major incident").

Every function here is a service (STYLE §2): one use case, in a transaction, audited on the
incident's timeline, telling people through the notification outbox (never sending itself).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from itsm.accounts.models import Team, User
from itsm.accounts.roles import Role, user_is_staff_member
from itsm.audit.services import audit_record, field_changes
from itsm.cmdb.choices import Criticality
from itsm.core.cache import forget
from itsm.core.exceptions import TransitionNotAllowed
from itsm.core.locking import lock_for_update
from itsm.core.permissions import actor_may, require_permission
from tickets import permissions as may
from tickets.choices import OPEN_STATUSES, Priority, ResolutionCode, TicketKind, TicketStatus
from tickets.exceptions import InvalidTicketInput, MajorIncidentAlreadyOpen
from tickets.major.models import (
    MajorIncident,
    MajorIncidentReview,
    MajorIncidentRule,
    MajorIncidentRuleKind,
    MajorIncidentStatus,
    MajorIncidentUpdate,
    ReminderFired,
)
from tickets.major.selectors import DESK_BANNER_CACHE_KEY, major_open_affecting
from tickets.models import Ticket
from tickets.sla import services as sla_services

CRITICALITY_RANK = {
    Criticality.LOW: 1,
    Criticality.MEDIUM: 2,
    Criticality.HIGH: 3,
    Criticality.CRITICAL: 4,
}


# --- Who hears about it ---


def public_title_of(major: MajorIncident) -> str:
    """What requesters read as the major incident's title (never the internal one)."""
    return major.public_title or "Service disruption"


def forget_desk_banner() -> None:
    """Drop the cached desk banner so the next desk page shows the change at once."""
    forget(DESK_BANNER_CACHE_KEY)


def _desk_url(major: MajorIncident) -> str:
    return f"{settings.SITE_URL}{reverse('major:desk-major-detail', args=[major.pk])}"


def _portal_url() -> str:
    return f"{settings.SITE_URL}{reverse('portal:home')}"


def major_incident_stakeholders(*, major: MajorIncident) -> list[User]:
    """The people told at once on declaration (DESIGN §1): the service owner, the support team
    and the ticket's team, the service desk team (`ITSM_SERVICE_DESK_TEAM`), the service desk
    managers, and the major incident's manager and communications owner. Duplicates are
    removed by notification_create (one email per address)."""
    ticket = major.ticket
    people: list[User] = [major.manager, major.communications_owner]
    service = ticket.service
    teams: list[Team] = []
    if service is not None:
        if service.owner is not None:
            people.append(service.owner)
        if service.support_team is not None:
            teams.append(service.support_team)
    if ticket.assignment_team is not None:
        teams.append(ticket.assignment_team)
    desk = Team.objects.filter(name=settings.ITSM_SERVICE_DESK_TEAM).first()
    if desk is not None:
        teams.append(desk)
    people += User.objects.filter(teams__in=[team.pk for team in teams], is_active=True).order_by(
        "pk"
    )
    people += User.objects.filter(groups__name=Role.SERVICE_DESK_MANAGER, is_active=True).order_by(
        "pk"
    )
    return list({person.pk: person for person in people}.values())


def _affected_requesters(major: MajorIncident) -> list[User]:
    """Requesters (not desk staff) of the incident and its children: who sees public news."""
    tickets = [major.ticket, *major.ticket.children.select_related("requester")]
    people = [t.requester for t in tickets]
    return [p for p in dict.fromkeys(people) if not user_is_staff_member(p)]


def _slack_text(major: MajorIncident, headline: str, body: str = "") -> str:
    ticket = major.ticket
    service = f" ({ticket.service})" if ticket.service_id else ""
    lines = [f":rotating_light: *{headline}*: {ticket.number} {ticket.short_description}{service}"]
    if body:
        lines.append(body)
    return "\n".join(lines)


def _notify_declared(major: MajorIncident) -> None:
    from itsm.notifications.services import notification_create

    ticket = major.ticket
    url = _desk_url(major)
    notification_create(
        event="major_incident_declared",
        recipients=major_incident_stakeholders(major=major),
        record=ticket,
        context={
            "title": f"Major incident declared: {ticket.number} {ticket.short_description}",
            "message": (
                f"Service: {ticket.service or '—'}. Reason: {major.reason}\n"
                f"Major incident manager: {major.manager}. "
                f"Communications: {major.communications_owner}."
            ),
            "url": url,
        },
        webhook_payload={
            "text": _slack_text(
                major,
                "Major incident declared",
                f"{major.reason}\nManager: {major.manager} · {url}",
            ),
            "event": "major_incident_declared",
            "incident": ticket.number,
            "service": str(ticket.service or ""),
            "priority": f"P{ticket.priority}",
            "reason": major.reason,
            "manager": str(major.manager),
            "communications_owner": str(major.communications_owner),
            "declared_at": major.declared_at.isoformat(),
            "url": url,
        },
    )


# --- Declaring ---


@transaction.atomic
def major_incident_declare(
    *,
    ticket: Ticket,
    actor: User,
    reason: str,
    manager: User,
    communications_owner: User,
    expected_version: int | None = None,
    cadence_minutes: int = 30,
    public_title: str = "",
    force: bool = False,
) -> MajorIncident:
    """Declare an open incident a major incident, naming its manager and communications owner.

    Sets `ticket.is_major` and priority P1 (an override with its reason; the SLA clocks are
    re-matched) under the ticket's row lock with a version bump (a stale `expected_version`
    is a 409), writes a `major_declared` audit event with both changes, and writes the
    stakeholder emails and the service's webhook calls to the outbox in this transaction:
    they leave at once after commit, exactly once per person and channel.

    A major incident already open on the ticket's service or CI refuses the declaration
    (`MajorIncidentAlreadyOpen`, a 409 naming it) unless `force` says the caller saw it and
    declares anyway: a second one for the same outage is usually a child of the first.
    """
    require_permission(
        actor, may.DECLARE_MAJOR, refusal="You are not allowed to declare a major incident."
    )
    if not reason.strip():
        raise InvalidTicketInput("Say why this is a major incident.", field="reason")
    for name, person in (("manager", manager), ("communications_owner", communications_owner)):
        # Whoever runs it must be able to post its updates and resolve it.
        if person is None or not actor_may(person, may.RUN_MAJOR):
            raise InvalidTicketInput(
                "Choose someone from the service desk who can run a major incident.", field=name
            )
    if cadence_minutes < 1:
        raise InvalidTicketInput("The update cadence is at least one minute.", field="cadence")
    ticket = lock_for_update(
        Ticket.objects.all(),
        pk=ticket.pk,
        expected_version=expected_version,
    )
    if ticket.kind != TicketKind.INCIDENT or not ticket.is_open:
        raise TransitionNotAllowed("Only an open incident can become a major incident.")
    if ticket.is_major or MajorIncident.objects.filter(ticket=ticket).exists():
        raise TransitionNotAllowed(f"{ticket.number} is already a major incident.")
    if (parent := ticket.parent) is not None:
        raise TransitionNotAllowed(
            f"{ticket.number} is a child of {parent.number}; declare the parent instead."
        )
    if not force:
        already = major_open_affecting(
            service_ids={ticket.service_id}, ci_ids={ticket.ci_id}, exclude_ticket_id=ticket.pk
        )
        if already:
            existing = already[0]
            on = existing.ticket.service or existing.ticket.ci or "this service"
            raise MajorIncidentAlreadyOpen(
                f"{existing.ticket.number} is already open for {on}: link this ticket to it "
                "instead, or declare anyway.",
                existing=existing,
            )
    now = timezone.now()
    before = {
        "is_major": ticket.is_major,
        "priority": ticket.priority,
        "priority_override_reason": ticket.priority_override_reason,
    }
    ticket.is_major = True
    # A major incident is P1 whatever the matrix says; recorded as an override with its
    # reason, so a later impact/urgency edit (ticket_update) does not re-derive it away.
    ticket.priority = Priority.P1
    if before["priority"] != Priority.P1:
        ticket.priority_override_reason = "Declared a major incident."
    ticket.version += 1
    ticket.save(
        update_fields=["is_major", "priority", "priority_override_reason", "version", "updated_at"]
    )
    major = MajorIncident.objects.create(
        ticket=ticket,
        declared_by=actor,
        declared_at=now,
        reason=reason.strip(),
        # The requesters' wording starts as the incident's own and is edited on the page.
        public_title=(public_title.strip() or ticket.short_description)[:200],
        manager=manager,
        communications_owner=communications_owner,
        cadence_minutes=cadence_minutes,
        last_update_at=now,
    )
    audit_record(
        record=ticket,
        actor=actor,
        action="major_declared",
        changes={
            **field_changes(before, {name: getattr(ticket, name) for name in before}),
            "version": {"from": ticket.version - 1, "to": ticket.version},
        },
        message=f"{major.reason} — manager {manager}, communications {communications_owner}",
    )
    if before["priority"] != ticket.priority:
        sla_services.sla_reevaluate(ticket=ticket, actor=actor)
    _notify_declared(major)
    transaction.on_commit(forget_desk_banner)
    return major


@transaction.atomic
def major_incident_set_public_title(
    *, major: MajorIncident, actor: User, public_title: str
) -> MajorIncident:
    """Reword what requesters read about the major incident (portal banner, their updates,
    their "affected by" tickets); the incident's own short description stays internal."""
    require_permission(
        actor, may.RUN_MAJOR, refusal="Only the service desk can word the requesters' banner."
    )
    if not public_title.strip():
        raise InvalidTicketInput("Write the title requesters will read.", field="public_title")
    major = lock_for_update(MajorIncident.objects.all(), pk=major.pk, expected_version=None)
    before = {"public_title": major.public_title}
    major.public_title = public_title.strip()[:200]
    major.save(update_fields=["public_title"])
    audit_record(
        record=major.ticket,
        actor=actor,
        action="major_public_title_changed",
        changes=field_changes(before, {"public_title": major.public_title}),
    )
    transaction.on_commit(forget_desk_banner)
    return major


@transaction.atomic
def major_incident_set_desk_instructions(
    *,
    major: MajorIncident,
    actor: User,
    caller_script: str,
    public_wording: str,
    next_update_due_at: datetime | None,
) -> MajorIncident:
    """The manager's instructions to the service desk: what to tell callers, the wording for
    public replies and when the next update is due. Shown on every affected ticket's page."""
    require_permission(
        actor, may.RUN_MAJOR, refusal="Only the major incident's team can instruct the desk."
    )
    major = lock_for_update(MajorIncident.objects.all(), pk=major.pk, expected_version=None)
    if not major.is_active:
        raise TransitionNotAllowed("This major incident is resolved; the desk needs no script.")
    names = ("caller_script", "public_wording", "next_update_due_at")
    before = {name: getattr(major, name) for name in names}
    major.caller_script = caller_script.strip()
    major.public_wording = public_wording.strip()
    major.next_update_due_at = next_update_due_at
    changes = field_changes(before, {name: getattr(major, name) for name in names})
    if not changes:
        return major
    major.save(update_fields=list(names))
    audit_record(
        record=major.ticket, actor=actor, action="major_desk_instructions_changed", changes=changes
    )
    return major


def _take_major_priority(ticket: Ticket, major: MajorIncident) -> None:
    """A child of a major incident works at its priority (recorded as an override, so an
    impact/urgency edit does not derive it away). The caller saves and audits."""
    if ticket.priority != major.ticket.priority:
        ticket.priority = major.ticket.priority
        ticket.priority_override_reason = f"Affected by major incident {major.ticket.number}."


@transaction.atomic
def major_incident_link_affected(
    *, major: MajorIncident, ticket: Ticket, actor: User, expected_version: int | None = None
) -> Ticket:
    """ "Link as affected": an agent makes an open ticket a child of the major incident.

    The child takes the major incident's priority (audited from → to with the link, SLA
    clocks re-matched), shows its banner and updates, and is resolved with it. Linking a
    ticket that is already its child changes nothing."""
    from tickets.services.lifecycle import _lock, _save, _snapshot

    require_permission(actor, may.CHANGE, refusal="Only the service desk can link tickets.")
    major = MajorIncident.objects.select_related("ticket").get(pk=major.pk)
    if not major.is_active:
        raise TransitionNotAllowed("This major incident is already resolved.")
    ticket = _lock(ticket, expected_version)
    if ticket.parent_id == major.ticket_id:
        return ticket
    if ticket.pk == major.ticket_id or ticket.is_major:
        raise TransitionNotAllowed(f"{ticket.number} is a major incident itself.")
    if not ticket.is_open:
        raise TransitionNotAllowed(f"{ticket.number} is closed; only open tickets are linked.")
    if ticket.parent_id is not None:
        raise TransitionNotAllowed(
            f"{ticket.number} is already linked to another parent ticket; unlink it first."
        )
    before = _snapshot(ticket, ("parent", "priority", "priority_override_reason"))
    ticket.parent = major.ticket
    _take_major_priority(ticket, major)
    _save(
        ticket,
        actor=actor,
        action="linked",
        before=before,
        message=f"Linked as affected by major incident {major.ticket.number}.",
    )
    audit_record(
        record=major.ticket, actor=actor, action="major_child_linked", message=ticket.number
    )
    if before["priority"] != ticket.priority:
        sla_services.sla_reevaluate(ticket=ticket, actor=actor)
    return ticket


# --- Status updates and reminders ---


@transaction.atomic
def major_incident_post_update(
    *, major: MajorIncident, actor: User, body: str, is_public: bool
) -> MajorIncidentUpdate:
    """Post a status update and restart the cadence clock.

    A public update goes to the affected requesters (the incident's and its children's) and
    to the service's webhook subscribers, and shows on the portal banner. An internal update
    stays on the desk timeline only: it is not sent anywhere, so it can never reach a
    requester or an outside chat channel.
    """
    require_permission(
        actor, may.RUN_MAJOR, refusal="You are not allowed to post major-incident updates."
    )
    if not body.strip():
        raise InvalidTicketInput("Write the update before posting it.", field="body")
    major = lock_for_update(MajorIncident.objects.all(), pk=major.pk, expected_version=None)
    if not major.is_active:
        raise TransitionNotAllowed("This major incident is resolved; write the review instead.")
    now = timezone.now()
    update = MajorIncidentUpdate.objects.create(
        major=major, author=actor, body=body.strip(), is_public=is_public, created_at=now
    )
    major.last_update_at = now
    major.save(update_fields=["last_update_at"])
    audit_record(
        record=major.ticket,
        actor=actor,
        action="major_update_public" if is_public else "major_update_internal",
        message=update.body,
    )
    if is_public:
        _notify_public_update(major, update.body, headline="Major incident update")
    transaction.on_commit(forget_desk_banner)
    return update


def _notify_public_update(major: MajorIncident, body: str, *, headline: str) -> None:
    from itsm.notifications.services import notification_create

    ticket = major.ticket
    notification_create(
        event="major_incident_public_update",
        recipients=_affected_requesters(major),
        record=ticket,
        context={
            "title": f"{headline}: {public_title_of(major)}",
            "message": body,
            "url": _portal_url(),
        },
        webhook_payload={
            "text": _slack_text(major, headline, body),
            "event": "major_incident_public_update",
            "incident": ticket.number,
            "status": major.status,
            "update": body,
        },
    )


def major_incident_reminders() -> int:
    """Beat, every minute: remind the manager of each active major incident whose last update
    is at least one cadence old. Returns how many reminders were sent.

    "Once per missed cadence" is the unique key (major, last_update_at, cadence_index) of
    `ReminderFired`: a second run, or two beats at once, find the row already there and send
    nothing. Posting an update moves `last_update_at`, so counting starts again from it.
    """
    now = timezone.now()
    sent = 0
    actives = MajorIncident.objects.filter(status=MajorIncidentStatus.ACTIVE).select_related(
        "ticket", "manager"
    )
    for major in actives:
        missed = int((now - major.last_update_at) / timedelta(minutes=major.cadence_minutes))
        if missed < 1:
            continue
        try:
            with transaction.atomic():
                ReminderFired.objects.create(
                    major=major, last_update_at=major.last_update_at, cadence_index=missed
                )
                _notify_update_due(major, missed=missed, now=now)
        except IntegrityError:
            continue  # this cadence was already reminded (by an earlier or concurrent run)
        sent += 1
    return sent


def _notify_update_due(major: MajorIncident, *, missed: int, now: Any) -> None:
    from itsm.notifications.services import notification_create

    minutes = int((now - major.last_update_at).total_seconds() // 60)
    notification_create(
        event="major_incident_update_due",
        recipients=[major.manager],
        record=major,
        context={
            "title": f"Update due on major incident {major.ticket.number}",
            "message": (
                f"No update for {minutes} minutes (cadence {major.cadence_minutes} min, "
                f"{missed} missed). Post a status update for the stakeholders."
            ),
            "url": _desk_url(major),
        },
    )


# --- Requesters join ---


@transaction.atomic
def major_incident_join(*, major: MajorIncident, requester: User, description: str) -> Ticket:
    """ "I'm affected too": the requester's report becomes a child incident of the major one.

    Joining twice returns the requester's existing open child instead of a second ticket.
    The child is created through `ticket_create` (number, audit, acknowledgement) and linked
    to the parent here with a `linked` audit event.
    """
    from tickets.services import ticket_create

    require_permission(requester, may.RAISE_OWN, refusal="You cannot report that you are affected.")
    major = MajorIncident.objects.select_related("ticket").get(pk=major.pk)
    if not major.is_active:
        raise TransitionNotAllowed("This major incident is already resolved.")
    parent = major.ticket
    existing = parent.children.filter(requester=requester, status__in=OPEN_STATUSES).first()
    if existing is not None:
        return existing
    if requester.pk in (major.declared_by_id, parent.requester_id):
        raise TransitionNotAllowed("You are already on this major incident.")
    child = ticket_create(
        actor=requester,
        requester=requester,
        # The requester's own ticket: the public wording, never the internal title.
        short_description=f"Affected by: {public_title_of(major)}"[:200],
        description=description.strip(),
        service=parent.service,
        ci=parent.ci,
        category=parent.category,
        assignment_team=parent.assignment_team,
    )
    before = {
        "priority": child.priority,
        "priority_override_reason": child.priority_override_reason,
    }
    child.parent = parent
    _take_major_priority(child, major)
    child.version += 1
    child.save(
        update_fields=["parent", "priority", "priority_override_reason", "version", "updated_at"]
    )
    audit_record(
        record=child,
        actor=requester,
        action="linked",
        changes={
            "parent": {"from": None, "to": str(parent)},
            **field_changes(
                before,
                {
                    "priority": child.priority,
                    "priority_override_reason": child.priority_override_reason,
                },
            ),
            "version": {"from": child.version - 1, "to": child.version},
        },
        message="Reported as affected by the major incident.",
    )
    if before["priority"] != child.priority:
        sla_services.sla_reevaluate(ticket=child, actor=None)
    audit_record(record=parent, actor=requester, action="major_joined", message=child.number)
    return child


# --- Resolving and reviewing ---


@transaction.atomic
def major_incident_resolve(*, major: MajorIncident, actor: User, public_note: str) -> MajorIncident:
    """Resolve the major incident, its incident and every open child with `public_note`.

    Each ticket moves through `ticket_transition` (the children as the system, actor=None),
    which audits it and tells its requester, resolution note included. The note is also
    sent as a final public update to the service's subscribers.
    """
    from tickets.services import ticket_transition

    require_permission(
        actor, may.RUN_MAJOR, refusal="You are not allowed to resolve a major incident."
    )
    if not public_note.strip():
        raise InvalidTicketInput(
            "Write the resolution note the requesters will read.", field="public_note"
        )
    major = lock_for_update(MajorIncident.objects.all(), pk=major.pk, expected_version=None)
    if not major.is_active:
        raise TransitionNotAllowed("This major incident is already resolved.")
    note = public_note.strip()
    now = timezone.now()
    parent = major.ticket
    # Children first, so that the parent's own resolution is the last event on the timeline.
    for child in parent.children.filter(status__in=OPEN_STATUSES).order_by("pk"):
        ticket_transition(
            ticket=child,
            to_status=TicketStatus.RESOLVED,
            actor=None,
            expected_version=None,
            resolution_code=ResolutionCode.SOLVED,
            resolution_notes=note,
        )
    parent.refresh_from_db()
    if parent.is_open:
        ticket_transition(
            ticket=parent,
            to_status=TicketStatus.RESOLVED,
            actor=actor,
            expected_version=None,
            resolution_code=ResolutionCode.SOLVED,
            resolution_notes=note,
        )
    major.status = MajorIncidentStatus.RESOLVED
    major.resolved_at = now
    major.resolution_note = note
    major.last_update_at = now
    major.save(update_fields=["status", "resolved_at", "resolution_note", "last_update_at"])
    MajorIncidentUpdate.objects.create(
        major=major, author=actor, body=note, is_public=True, created_at=now
    )
    audit_record(record=parent, actor=actor, action="major_resolved", message=note)
    # Requesters already heard through ticket_transition; the subscribers hear it here.
    _notify_resolved_to_subscribers(major, note)
    transaction.on_commit(forget_desk_banner)
    return major


def _notify_resolved_to_subscribers(major: MajorIncident, note: str) -> None:
    from itsm.notifications.services import notification_create

    ticket = major.ticket
    notification_create(
        event="major_incident_resolved",
        recipients=major_incident_stakeholders(major=major),
        record=ticket,
        context={
            "title": f"Major incident resolved: {ticket.number} {ticket.short_description}",
            "message": note,
            "url": _desk_url(major),
        },
        webhook_payload={
            "text": _slack_text(major, "Major incident resolved", note),
            "event": "major_incident_resolved",
            "incident": ticket.number,
            "resolution": note,
        },
    )


@transaction.atomic
def major_incident_review_record(
    *, major: MajorIncident, actor: User, timeline: str, root_cause: str, actions: str
) -> MajorIncidentReview:
    """Write (or rewrite) the post-incident review; only after resolution."""
    require_permission(actor, may.RUN_MAJOR, refusal="You are not allowed to write the review.")
    major = lock_for_update(MajorIncident.objects.all(), pk=major.pk, expected_version=None)
    if major.is_active:
        raise TransitionNotAllowed("Resolve the major incident before reviewing it.")
    if not timeline.strip():
        raise InvalidTicketInput("Write down the timeline of events.", field="timeline")
    review, _ = MajorIncidentReview.objects.update_or_create(
        major=major,
        defaults={
            "timeline": timeline.strip(),
            "root_cause": root_cause.strip(),
            "actions": actions.strip(),
            "written_by": actor,
            "written_at": timezone.now(),
        },
    )
    audit_record(record=major.ticket, actor=actor, action="major_reviewed")
    return review


# --- Proposals ---


@dataclass
class MajorIncidentProposal:
    """A suggestion to declare `ticket` a major incident, and the rule behind it."""

    rule: MajorIncidentRule
    ticket: Ticket
    reason: str
    ticket_ids: list[int] = field(default_factory=list)


def major_incident_candidates() -> list[MajorIncidentProposal]:
    """Open incidents the active `MajorIncidentRule`s say should be major. Read-only: the
    system proposes, a person declares. One proposal per ticket (the first rule wins)."""
    proposals: dict[int, MajorIncidentProposal] = {}
    base = Ticket.objects.filter(
        kind=TicketKind.INCIDENT, status__in=OPEN_STATUSES, is_major=False, parent__isnull=True
    )
    for rule in MajorIncidentRule.objects.filter(is_active=True).order_by("pk"):
        if rule.kind == MajorIncidentRuleKind.P1_ON_CRITICAL_SERVICE:
            minimum = CRITICALITY_RANK[Criticality(rule.min_criticality)]
            levels = [c for c, rank in CRITICALITY_RANK.items() if rank >= minimum]
            for ticket in base.filter(priority=1, service__criticality__in=levels).select_related(
                "service"
            ):
                assert ticket.service is not None  # the filter matched on its criticality
                proposals.setdefault(
                    ticket.pk,
                    MajorIncidentProposal(
                        rule=rule,
                        ticket=ticket,
                        reason=f"P1 on {ticket.service} ({ticket.service.criticality})",
                        ticket_ids=[ticket.pk],
                    ),
                )
        else:
            since = timezone.now() - timedelta(minutes=rule.window_minutes)
            bursts = (
                base.filter(created_at__gte=since, service__isnull=False)
                .values("service")
                .annotate(n=Count("pk"), first=Min("pk"))
                .filter(n__gte=rule.threshold_count)
            )
            for burst in bursts:
                ids = list(
                    base.filter(created_at__gte=since, service=burst["service"])
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                ticket = Ticket.objects.select_related("service").get(pk=burst["first"])
                proposals.setdefault(
                    ticket.pk,
                    MajorIncidentProposal(
                        rule=rule,
                        ticket=ticket,
                        reason=(
                            f"{burst['n']} incidents on {ticket.service} within "
                            f"{rule.window_minutes} minutes"
                        ),
                        ticket_ids=ids,
                    ),
                )
    return list(proposals.values())
