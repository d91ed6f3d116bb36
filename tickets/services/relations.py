"""How a ticket relates to others: parent and duplicate links, followers, and the
knowledge articles linked to it or drafted from it."""

from typing import Any

from django.db import transaction

from itsm.accounts.models import User
from itsm.audit.services import audit_record
from itsm.core.permissions import require_permission
from tickets import permissions as may
from tickets.choices import (
    ResolutionCode,
    TicketStatus,
)
from tickets.exceptions import InvalidTicketInput
from tickets.models import (
    Ticket,
    TicketArticleLink,
)

# The one list of what `ticket_update` may change (forms and serializers check against it).
from tickets.services.lifecycle import _lock, _save, _snapshot, ticket_transition


@transaction.atomic
def ticket_link_parent(
    *, ticket: Ticket, parent: Ticket | None, actor: User, expected_version: int | None = None
) -> Ticket:
    """Make `ticket` a child of `parent` (or detach it with None). No cycles.

    `expected_version` is the version the caller read (the ticket page's link form); a stale
    one raises StaleVersion before anything is written."""
    require_permission(actor, may.CHANGE, refusal="Only the service desk can link tickets.")
    if parent is not None and parent.is_major:
        # "Child of" a major incident is "link as affected": its priority, banner and rules.
        from tickets.major.models import MajorIncident
        from tickets.major.services import major_incident_link_affected

        major = MajorIncident.objects.filter(ticket=parent).first()
        if major is not None and major.is_active:
            return major_incident_link_affected(
                major=major, ticket=ticket, actor=actor, expected_version=expected_version
            )
    ticket = _lock(ticket, expected_version)
    if parent is not None and ticket.pk in _ancestor_ids(parent):
        raise InvalidTicketInput(
            "That would make the ticket its own ancestor; link it the other way round.",
            field="parent",
        )
    before = _snapshot(ticket, ("parent",))
    ticket.parent = parent
    _save(ticket, actor=actor, action="linked", before=before)
    return ticket


def _ancestor_ids(ticket: Ticket, limit: int = 20) -> set[int]:
    """The ticket and its parents up the chain, read fresh from the database."""
    seen: set[int] = set()
    current: int | None = ticket.pk
    while current is not None and current not in seen and len(seen) < limit:
        seen.add(current)
        current = Ticket.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return seen


@transaction.atomic
def ticket_mark_duplicate(
    *, ticket: Ticket, duplicate_of: Ticket, actor: User, expected_version: int | None = None
) -> Ticket:
    """Close `ticket` as a duplicate: link it, resolve it, tell its requester where to look.

    `expected_version` is the version the caller read (the queue's merge checks it per ticket;
    a stale one raises StaleVersion before anything is written)."""
    require_permission(actor, may.CHANGE, refusal="Only the service desk can mark duplicates.")
    if duplicate_of.pk == ticket.pk:
        raise InvalidTicketInput("A ticket cannot duplicate itself.", field="duplicate_of")
    if duplicate_of.duplicate_of_id == ticket.pk:
        raise InvalidTicketInput("That ticket is already a duplicate of this one.")
    locked = _lock(ticket, expected_version)
    before = _snapshot(locked, ("duplicate_of",))
    locked.duplicate_of = duplicate_of
    _save(locked, actor=actor, action="linked", before=before)
    locked.watchers.add(locked.requester)
    duplicate_of.watchers.add(locked.requester)
    return ticket_transition(
        ticket=locked,
        to_status=TicketStatus.RESOLVED,
        actor=actor,
        expected_version=None,
        resolution_code=ResolutionCode.DUPLICATE,
        resolution_notes=(
            f"This is being handled in {duplicate_of.number}; you are now following it."
        ),
    )


def _require_may_follow(ticket: Ticket, user: User) -> None:
    # Watching a ticket lets its watcher read it (Ticket.objects.visible_to), so following
    # somebody else's ticket needs the desk's right to read every ticket.
    if ticket.requester_id == getattr(user, "pk", None):
        require_permission(user, may.RAISE_OWN, refusal="You cannot follow tickets.")
    else:
        require_permission(
            user, may.VIEW, refusal="Only the service desk can follow other people's tickets."
        )


@transaction.atomic
def ticket_watch(*, ticket: Ticket, user: User) -> None:
    """Follow a ticket: one's own, or anybody's for those who may read every ticket."""
    _require_may_follow(ticket, user)
    ticket.watchers.add(user)
    audit_record(record=ticket, actor=user, action="watch_started")


@transaction.atomic
def ticket_unwatch(*, ticket: Ticket, user: User) -> None:
    _require_may_follow(ticket, user)
    ticket.watchers.remove(user)
    audit_record(record=ticket, actor=user, action="watch_stopped")


# --- Periodic ---


@transaction.atomic
def ticket_link_article(*, ticket: Ticket, article: Any, actor: User) -> TicketArticleLink:
    """Record that an article helped with this ticket (idempotent); audited on the ticket."""
    require_permission(actor, may.CHANGE, refusal="Only the service desk can link articles.")
    link, created = TicketArticleLink.objects.get_or_create(
        ticket=ticket, article=article, defaults={"linked_by": actor}
    )
    if created:
        audit_record(
            record=ticket,
            actor=actor,
            action="article_linked",
            message=f"{article.number} {article.title}",
        )
    return link


@transaction.atomic
def ticket_unlink_article(*, ticket: Ticket, article: Any, actor: User) -> None:
    require_permission(actor, may.CHANGE, refusal="Only the service desk can unlink articles.")
    deleted, _ = TicketArticleLink.objects.filter(ticket=ticket, article=article).delete()
    if deleted:
        audit_record(
            record=ticket,
            actor=actor,
            action="article_unlinked",
            message=f"{article.number} {article.title}",
        )


@transaction.atomic
def article_draft_from_ticket(*, ticket: Ticket, actor: User) -> Any:
    """Turn what the desk learnt on a ticket into an internal draft article, linked to it.

    The draft carries the symptoms (short description and description) and the resolution;
    an editor reviews it before anyone outside the desk can read it.
    """
    from knowledge.choices import ArticleAudience
    from knowledge.services import article_create

    require_permission(
        actor, may.CHANGE, refusal="Only the service desk can write articles from tickets."
    )
    if not ticket.resolution_notes.strip():
        raise InvalidTicketInput(
            "Resolve the ticket (with resolution notes) before writing an article from it.",
            field="resolution_notes",
        )
    body = (
        f"## Symptoms\n\n{ticket.short_description}\n\n{ticket.description}\n\n"
        f"## Resolution\n\n{ticket.resolution_notes}\n\n"
        f"_Written from {ticket.number}._\n"
    )
    article = article_create(
        actor=actor,
        title=ticket.short_description,
        body=body,
        summary=ticket.resolution_notes.strip().splitlines()[0][:300],
        services=[ticket.service] if ticket.service_id else [],
        audience=ArticleAudience.INTERNAL,
    )
    ticket_link_article(ticket=ticket, article=article, actor=actor)
    return article
