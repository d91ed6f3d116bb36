"""One ticket and what its page reads: the ticket, its conversation, relations,
attachments and people; and the plain lists of tickets the API and the portal read."""

import functools
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet, Value
from django.http import Http404

from itsm.accounts.models import Team, User
from itsm.accounts.roles import user_is_staff_member
from itsm.audit.selectors import audit_list_for_record
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.compiled import CompiledQuery, compiled_once, prefetched
from knowledge.models import Article
from tickets.choices import OPEN_STATUSES, TicketKind
from tickets.models import Attachment, CatalogItem, Category, Comment, Ticket, TicketArticleLink
from tickets.selectors.queue import API_PREFETCH, LIST_RELATED
from tickets.selectors.search import ticket_list_matching
from tickets.selectors.sla import clocks_with_calendars


def ticket_get_for_user(*, user: Any, number: str, whole: bool = True) -> Ticket:
    """One ticket by number, or 404 — also when it exists but the user may not see it.
    `whole=False` reads the row alone (a fragment that needs only the ticket's own fields).

    Narrow queries rather than one wide one: joining the ticket's eleven relations made
    PostgreSQL spend 4 ms (staff) to 33 ms (a requester: the watchers join and DISTINCT over
    every column) planning for 0.3 ms of execution. The ticket row with its people and team
    plans in a few tenths of a millisecond; the other relations are then read by primary
    key, one query per table that has something to read.
    """
    number = number.upper()
    if whole and user_is_staff_member(user):
        # The desk's page: desk staff see every ticket (TicketQuerySet.visible_to), so one
        # shape serves every agent, its SQL built once per process.
        found = _ticket_for_staff(number)
    else:
        # No ORDER BY on the unique number (the default one, or first()'s): the planner would
        # cost the created_at index against the number's for nothing.
        tickets = Ticket.objects.visible_to(user).filter(number=number).order_by()
        if whole:
            tickets = tickets.select_related(*_TICKET_PAGE_JOINS)
        found = list(tickets[:2])
    if len(found) != 1:
        raise Http404("No such ticket.")
    ticket = found[0]
    if not whole:
        return ticket
    ticket_relations_attach(ticket)
    prefetched(ticket, "sla_clocks", clocks_with_calendars(ticket.pk))
    return ticket


# Read with the ticket row itself: set on most tickets, each a join on a primary key. Two
# more joins (service, CI) tripled the planning time (0.3 → 1.0 ms at 1M tickets), more than
# their own primary-key reads cost.
_TICKET_PAGE_JOINS = ("requester", "assignee", "assignment_team")


@compiled_once
def _ticket_for_staff(number: str) -> QuerySet[Ticket]:
    return Ticket.objects.filter(number=number).select_related(*_TICKET_PAGE_JOINS).order_by()[:2]


# Which foreign keys of a ticket point at which table, read together per table. The CI
# comes first, with its service: usually the ticket's own, which then needs no read.
_TICKET_RELATIONS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (User, ("requester", "assignee", "resolved_by")),
    (Team, ("assignment_team",)),
    (ConfigurationItem, ("ci",)),
    (Service, ("service",)),
    (Category, ("category", "subcategory")),
    (Ticket, ("parent", "duplicate_of")),
    (CatalogItem, ("catalog_item",)),
)
_READ_WITH: dict[type[models.Model], tuple[str, ...]] = {ConfigurationItem: ("service",)}


@functools.cache
def _row_by_pk(model: type[models.Model]) -> CompiledQuery[models.Model]:
    joins = _READ_WITH.get(model, ())

    def row(pk: int) -> models.QuerySet[models.Model]:
        rows = model._default_manager.order_by().filter(pk=pk)
        # select_related() with no names would join every relation (and is deprecated).
        return rows.select_related(*joins) if joins else rows

    return compiled_once(row)


def _relation_is_read(ticket: Ticket, name: str) -> bool:
    return name in ticket._state.fields_cache


def ticket_relations_attach(ticket: Ticket) -> None:
    """Read what `ticket`'s foreign keys point at, one primary-key query per table with a
    value set and not yet read (an empty relation costs nothing), and cache each on the
    ticket. A subcategory's parent comes from the same category read ("Hardware › Laptop"),
    the service from the CI's read when they match."""
    for model, all_names in _TICKET_RELATIONS:
        names = [name for name in all_names if not _relation_is_read(ticket, name)]
        ids = {getattr(ticket, f"{name}_id") for name in names} - {None}
        if not ids:
            continue
        if len(ids) == 1:
            (only_id,) = ids
            rows = {row.pk: row for row in _row_by_pk(model)(only_id)}
        else:
            rows = model._default_manager.order_by().in_bulk(ids)
        for name in names:
            related_id = getattr(ticket, f"{name}_id")
            if related_id is not None and related_id in rows:
                setattr(ticket, name, rows[related_id])
        if model is ConfigurationItem:
            _service_from_ci(ticket)
    subcategory = ticket.subcategory
    if subcategory is not None and subcategory.parent_id == ticket.category_id:
        subcategory.parent = ticket.category


def _service_from_ci(ticket: Ticket) -> None:
    ci = ticket.ci if _relation_is_read(ticket, "ci") else None
    if ci is not None and ci.service_id is not None and ci.service_id == ticket.service_id:
        ticket.service = ci.service


def ticket_list_for_api(*, user: Any, kind: str) -> QuerySet[Ticket]:
    """/api/v1/incidents/ and /api/v1/requests/: one ticket kind, with every relation the
    representation shows, watchers included (a fixed number of queries whatever the page
    size)."""
    return (
        Ticket.objects.visible_to(user)
        .select_related(*LIST_RELATED)
        .prefetch_related(*API_PREFETCH)
        .filter(kind=kind)
    )


def ticket_list_by_number(*, user: Any, numbers: list[str]) -> list[Ticket]:
    """The tickets among `numbers` that `user` may see (bulk actions on the queue)."""
    return list(Ticket.objects.visible_to(user).filter(number__in=numbers))


def ticket_list_requested_by(*, user: Any, open_only: bool, text: str = "") -> QuerySet[Ticket]:
    """The portal's "my tickets": those `user` requested (watched ones are not theirs to
    list), newest first, open ones only when `open_only`, matching `text` when given."""
    tickets = Ticket.objects.filter(requester=user).select_related("assignment_team")
    if open_only:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    return ticket_list_matching(tickets=tickets, text=text).order_by("-created_at")


def ticket_watcher_list(*, ticket: Ticket) -> list[User]:
    """Who follows the ticket, by name: the ticket page's watchers field (and, from the same
    list, whether the agent looking at it follows it: one query for both)."""
    return _watchers_of(ticket.pk)


@compiled_once
def _watchers_of(ticket_id: int) -> QuerySet[User]:
    return User.objects.filter(watched_tickets=ticket_id).order_by("display_name", "email")


def team_for_assign_to_me(*, ticket: Ticket, user: Any) -> Team | None:
    """The team "assign to me" puts the ticket in: its own team, else the agent's first."""
    return ticket.assignment_team or user.teams.first()


def incident_list_by_number(*, user: Any, numbers: list[str]) -> dict[str, Ticket]:
    """The incidents among `numbers` that `user` may see, keyed by number (one query); a
    number that is missing, not an incident or out of sight is simply absent."""
    return {
        t.number: t
        for t in Ticket.objects.visible_to(user).filter(
            number__in=numbers, kind=TicketKind.INCIDENT
        )
    }


def article_linked_ticket_count(*, article: Article, user: Any) -> int:
    """How many tickets `article` is linked to (the desk article page's "Linked tickets").
    A count over every ticket: the article page is for desk staff, who see them all."""
    return TicketArticleLink.objects.filter(article=article).count()


def comment_list_for_user(*, ticket: Ticket, user: Any) -> QuerySet[Comment]:
    """The ticket's comments `user` may read (work notes for staff only), with their
    authors and attachments (two queries when evaluated)."""
    staff = user_is_staff_member(user)
    attachments = Attachment.objects.order_by("id")
    if not staff:
        attachments = attachments.filter(is_internal=False)
    comments = (
        Comment.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )
    if not staff:
        comments = comments.filter(is_public=True)
    return comments


@compiled_once
def _comments_of(ticket_id: int) -> QuerySet[Comment]:
    return Comment.objects.filter(ticket_id=ticket_id).select_related("author")


@compiled_once
def _attachments_of(ticket_id: int) -> QuerySet[Attachment]:
    """Every file of the ticket but the pasted images not sent yet: the report's and the
    replies' (the page splits them), in the order they came."""
    return Attachment.objects.filter(ticket_id=ticket_id, is_pending_inline=False).order_by("id")


def _page_attachments(ticket: Ticket, *, staff: bool) -> list[Attachment]:
    # Read once per ticket and request, whoever asks first (the report's files or the
    # conversation's).
    cached = ticket.__dict__.get("_page_attachments")
    if cached is None:
        cached = ticket.__dict__["_page_attachments"] = _attachments_of(ticket.pk)
    return [a for a in cached if staff or not a.is_internal]


def conversation_for(*, ticket: Ticket, user: Any) -> list[dict[str, Any]]:
    """The ticket's timeline: comments (public only for requesters) merged with audit events.

    Audit events are shown to staff only; requesters see the public conversation. Each
    comment's files come from the ticket's one attachment read.
    """
    staff = user_is_staff_member(user)
    comments = [c for c in _comments_of(ticket.pk) if staff or c.is_public]
    files: dict[int, list[Attachment]] = {c.pk: [] for c in comments}
    for attachment in _page_attachments(ticket, staff=staff):
        if attachment.comment_id in files:
            files[attachment.comment_id].append(attachment)
    for comment in comments:
        prefetched(comment, "attachments", files[comment.pk])
    entries: list[dict[str, Any]] = [
        {"kind": "comment", "at": c.created_at, "comment": c} for c in comments
    ]
    if staff:
        entries += [
            {"kind": "event", "at": e.occurred_at, "event": e}
            for e in audit_list_for_record(record=ticket)
            if e.action not in ("reply_added", "work_note_added")
        ]
    return sorted(entries, key=lambda entry: entry["at"])


def related_for(*, ticket: Ticket, user: Any) -> dict[str, list[Any]]:
    """The tickets the page lists beside this one: its children and duplicates, and the
    requester's other open tickets (the newest five), in one read. Staff see every ticket; a
    requester's lists keep only what they may see."""
    rows = _linked_and_requester_open(ticket.pk, ticket.pk, ticket.requester_id, ticket.pk)
    if not user_is_staff_member(user):
        visible = set(
            Ticket.objects.visible_to(user)
            .filter(pk__in=[t.pk for t in rows])
            .values_list("pk", flat=True)
        )
        rows = [t for t in rows if t.pk in visible]
    linked = sorted(
        (t for t in rows if _part(t) == _LINKED), key=lambda t: t.created_at, reverse=True
    )
    return {
        "children": [t for t in linked if t.parent_id == ticket.pk],
        "duplicates": [t for t in linked if t.duplicate_of_id == ticket.pk],
        "articles": _article_links_of(ticket.pk),
        "requester_open": [t for t in rows if _part(t) == _REQUESTER_OPEN],
    }


_LINKED_FIELDS = (
    "number",
    "short_description",
    "status",
    "parent_id",
    "duplicate_of_id",
    "created_at",
)
_LINKED, _REQUESTER_OPEN = 1, 2


def _part(ticket: Any) -> int:
    """Which half of the read a row came from (the `part` the query annotates)."""
    return int(ticket.part)


@compiled_once
def _linked_and_requester_open(
    parent_id: int, duplicate_of_id: int, requester_id: int, ticket_id: int
) -> QuerySet[Ticket]:
    def part(number: int) -> Value:
        return Value(number, output_field=models.IntegerField())

    linked = (
        Ticket.objects.filter(Q(parent=parent_id) | Q(duplicate_of=duplicate_of_id))
        .only(*_LINKED_FIELDS)
        .annotate(part=part(_LINKED))
        .order_by()
    )
    requester_open = (
        Ticket.objects.filter(requester_id=requester_id, status__in=OPEN_STATUSES)
        .exclude(pk=ticket_id)
        .only(*_LINKED_FIELDS)
        .annotate(part=part(_REQUESTER_OPEN))
        .order_by("-created_at")[:5]
    )
    return linked.union(requester_open, all=True).order_by()


@compiled_once
def _article_links_of(ticket_id: int) -> QuerySet[TicketArticleLink]:
    return TicketArticleLink.objects.filter(ticket_id=ticket_id).select_related("article")


def attachment_list_for_report(*, ticket: Ticket, user: Any = None) -> list[Attachment]:
    """The files sent with the report itself (not with a reply): everyone who sees the
    ticket sees them, apart from the desk's internal copies (the raw e-mail), staff only."""
    staff = user is not None and user_is_staff_member(user)
    return [a for a in _page_attachments(ticket, staff=staff) if a.comment_id is None]


def attachment_get_for_user(*, user: Any, attachment_id: int) -> Attachment:
    """An attachment the user may download: on a ticket they see, and on a public comment
    unless they are staff. Anything else is 404."""
    visible_tickets = Ticket.objects.visible_to(user).values("id")
    attachments = Attachment.objects.filter(ticket_id__in=visible_tickets)
    if not user_is_staff_member(user):
        # A pasted image not sent yet: only its uploader (previewing the reply) opens it.
        attachments = attachments.filter(
            Q(comment__isnull=True, is_pending_inline=False)
            | Q(comment__is_public=True)
            | Q(is_pending_inline=True, uploaded_by=user),
            is_internal=False,
        )
    try:
        return attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404("No such attachment.") from None


def requester_search(*, text: str, limit: int = 10) -> list[User]:
    """Active people matching a name or email fragment, for the desk's caller look-up."""
    text = text.strip()
    if len(text) < 2:
        return []
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(display_name__icontains=text) | Q(email__icontains=text))
        .only("email", "display_name")
        .order_by("display_name")[:limit]
    )
