"""Reads of the service catalog, approvals and fulfilment tasks, each shaped for its page."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from itsm.accounts.models import User
from itsm.audit.presentation import ShownValue, humanize, show_value
from tickets.choices import ApprovalState, CatalogFieldType, TaskStatus, TicketKind
from tickets.models import (
    Approval,
    CatalogCategory,
    CatalogField,
    CatalogItem,
    FulfilmentTask,
    Ticket,
)


class TeamSize(TypedDict):
    team_member_count: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    TaskWithTeamSize = WithAnnotations[FulfilmentTask, TeamSize]


def catalog_item_list_for_browse(*, search: str = "") -> QuerySet[CatalogItem]:
    """Active catalog items (with their category), optionally matching a search text."""
    items = CatalogItem.objects.filter(is_active=True).select_related("category")
    if search.strip():
        text = search.strip()
        items = items.filter(
            Q(name__icontains=text)
            | Q(short_description__icontains=text)
            | Q(description__icontains=text)
            | Q(category__name__icontains=text)
        )
    return items.order_by("category__order", "category__name", "name")


def catalog_category_list_with_items(
    *, search: str = ""
) -> list[tuple[CatalogCategory | None, list[CatalogItem]]]:
    """The browse page: (category, its matching items) pairs, empty categories left out."""
    groups: dict[int | None, tuple[CatalogCategory | None, list[CatalogItem]]] = {}
    for item in catalog_item_list_for_browse(search=search):
        groups.setdefault(item.category_id, (item.category, []))[1].append(item)
    return list(groups.values())


def catalog_item_get_for_order(*, slug: str) -> CatalogItem:
    """An active item with its field definitions and task templates; 404 otherwise."""
    item = (
        CatalogItem.objects.filter(is_active=True, slug=slug)
        .select_related("category", "approval_team", "fulfilment_team")
        .prefetch_related("fields", "task_templates__team")
        .first()
    )
    if item is None:
        raise Http404("No such catalog item.")
    return item


def catalog_item_list_for_api() -> QuerySet[CatalogItem]:
    return (
        CatalogItem.objects.filter(is_active=True)
        .select_related("category")
        .prefetch_related("fields")
        .order_by("name")
    )


def request_get_progress_for_user(*, user: Any, number: str) -> Ticket:
    """A service request with its approvals and tasks, if `user` may see it (404 otherwise)."""
    ticket = (
        Ticket.objects.visible_to(user)
        .filter(kind=TicketKind.REQUEST, number=number)
        .select_related("catalog_item", "requester", "assignment_team")
        .prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("approver")),
            Prefetch("tasks", queryset=FulfilmentTask.objects.select_related("team", "assignee")),
        )
        .first()
    )
    if ticket is None:
        raise Http404("No such request.")
    return ticket


@dataclass(frozen=True)
class RequestFulfilment:
    """What the desk page of a service request shows about its progress."""

    approvals: list[Approval]
    tasks: "list[TaskWithTeamSize]"

    @property
    def stuck_tasks(self) -> "list[TaskWithTeamSize]":
        """Active tasks nobody can pick up: no assignee and a team without active members."""
        return [
            task
            for task in self.tasks
            if task.status in (TaskStatus.WAITING, TaskStatus.OPEN)
            and task.assignee_id is None
            and not task.team_member_count
        ]


def request_fulfilment_for_desk(*, ticket: Ticket) -> RequestFulfilment | None:
    """A request's approvals (with approver) and tasks (with team, assignee and the team's
    active member count, for the "nobody can pick this up" warning). Two queries; None for
    an incident."""
    if ticket.kind != TicketKind.REQUEST:
        return None
    approvals = list(ticket.approvals.select_related("approver").order_by("id"))
    tasks = list(
        ticket.tasks.select_related("team", "assignee")
        .annotate(
            team_member_count=Count(
                "team__members", filter=Q(team__members__is_active=True), distinct=True
            )
        )
        .order_by("step", "id")
    )
    return RequestFulfilment(approvals=approvals, tasks=tasks)


def approval_list_for_approver(*, user: Any, pending_only: bool = True) -> QuerySet[Approval]:
    """The approvals asked of `user`, newest first, with the request and its requester."""
    approvals = Approval.objects.filter(approver=user).select_related(
        "ticket", "ticket__requester", "ticket__catalog_item"
    )
    if pending_only:
        approvals = approvals.filter(state=ApprovalState.PENDING)
    return approvals.order_by("-ticket__created_at", "-id")


def approval_get_for_approver(*, user: Any, pk: int) -> Approval:
    """One approval asked of `user`, with its request; 404 for anyone else's."""
    return get_object_or_404(Approval.objects.select_related("ticket"), pk=pk, approver=user)


def task_list_for_teams(*, user: Any, status: str | None = "open") -> QuerySet[FulfilmentTask]:
    """Fulfilment tasks of the teams `user` is in (or assigned to them), oldest first."""
    tasks = FulfilmentTask.objects.filter(
        pk__in=FulfilmentTask.objects.filter(Q(team__members=user) | Q(assignee=user)).values("pk")
    )
    if status:
        tasks = tasks.filter(status=status)
    # `active_task_count` of the request: 1 means completing this task resolves it, so the
    # page asks for the requester's resolution text there.
    return (
        tasks.select_related("team", "assignee", "ticket", "ticket__requester")
        .annotate(
            active_task_count=Count(
                "ticket__tasks",
                filter=Q(ticket__tasks__status__in=(TaskStatus.WAITING, TaskStatus.OPEN)),
            )
        )
        .order_by("created_at", "id")
    )


def task_get(*, number: str) -> FulfilmentTask:
    """One fulfilment task by number, or 404. Tasks are desk records: the desk views that
    call this admit desk staff only, and `task_complete` checks who may complete it."""
    return get_object_or_404(FulfilmentTask, number=number)


def task_list_for_api() -> QuerySet[FulfilmentTask]:
    return FulfilmentTask.objects.select_related("team", "assignee", "ticket").order_by("id")


def request_answers(*, ticket: Ticket) -> list[tuple[str, ShownValue]]:
    """A request's order answers as (label, value), in the order form's order, for the
    desk and portal request pages. People chosen by e-mail show by name. Answers to fields
    the item no longer has keep their key, made readable. One or two queries."""
    answers = dict(ticket.form_data or {})
    if not answers:
        return []
    definitions = (
        list(CatalogField.objects.filter(item_id=ticket.catalog_item_id))
        if ticket.catalog_item_id
        else []
    )
    emails = [
        answers[d.name]
        for d in definitions
        if d.field_type == CatalogFieldType.USER and isinstance(answers.get(d.name), str)
    ]
    names = (
        {user.email.lower(): str(user) for user in User.objects.filter(email__in=emails)}
        if emails
        else {}
    )
    shown = []
    for definition in definitions:
        if definition.name not in answers:
            continue
        value = answers.pop(definition.name)
        if definition.field_type == CatalogFieldType.USER and isinstance(value, str):
            value = names.get(value.lower(), value)
        shown.append((definition.label, show_value(value)))
    shown.extend((humanize(name), show_value(value)) for name, value in answers.items())
    return shown


def approval_list_pending_for_home(*, user: Any, limit: int) -> list[Approval]:
    """The desk home's "awaiting my approval": pending approvals asked of `user`, oldest
    request first (it has waited longest), with the request and its requester. One query
    from the approver's index."""
    return list(
        Approval.objects.filter(approver=user, state=ApprovalState.PENDING)
        .select_related("ticket", "ticket__requester")
        .only(
            "id",
            "ticket__number",
            "ticket__short_description",
            "ticket__created_at",
            "ticket__requester__display_name",
            "ticket__requester__email",
        )
        .order_by("ticket__created_at", "id")[:limit]
    )


def task_list_for_home(*, user: Any, limit: int) -> list[FulfilmentTask]:
    """The desk home's "my tasks": open fulfilment tasks assigned to `user`, then those of
    `user`'s teams nobody has taken, oldest first, with their request's number. Two queries
    (team ids, tasks through the (team, status) index)."""
    team_ids = list(user.teams.values_list("id", flat=True))
    return list(
        FulfilmentTask.objects.filter(
            Q(assignee=user) | Q(team_id__in=team_ids, assignee__isnull=True),
            status=TaskStatus.OPEN,
        )
        .select_related("ticket", "team")
        .only("number", "title", "created_at", "assignee_id", "ticket__number", "team__name")
        .order_by("created_at", "id")[:limit]
    )
