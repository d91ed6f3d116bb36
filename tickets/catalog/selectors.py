"""Reads of the service catalog, approvals and fulfilment tasks, each shaped for its page."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from tickets.choices import ApprovalState, TaskStatus, TicketKind
from tickets.models import Approval, CatalogCategory, CatalogItem, FulfilmentTask, Ticket


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


def task_list_for_api() -> QuerySet[FulfilmentTask]:
    return FulfilmentTask.objects.select_related("team", "assignee", "ticket").order_by("id")
