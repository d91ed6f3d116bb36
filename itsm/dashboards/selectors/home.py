"""The desk home: the agent's day, composed from each process app's own selectors.

Every panel is read by the app that owns its records (tickets, the catalog, major
incidents, changes, releases) through a bounded selector; this module only turns their rows
into one shape, `HomeRow`, that the page and the API share, and adds each panel's title,
"see all" link and empty-state sentence. A manager (service desk manager role) also gets
each team's unassigned and breached counts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from changes import selectors as change_selectors
from changes.choices import STATUS_BADGE as CHANGE_STATUS_BADGE
from changes.choices import ChangeRequestStatus
from itsm.accounts.roles import Role, user_has_role
from releases import selectors as release_selectors
from tickets import selectors as ticket_selectors
from tickets.catalog import selectors as catalog_selectors
from tickets.choices import PRIORITY_BADGE, Priority
from tickets.links import desk_ticket_paths
from tickets.major import selectors as major_selectors
from tickets.models import Ticket
from tickets.selectors import TeamTicketCounts

# Each panel is a short list; the rest is behind its "see all" link.
PANEL_ROWS = 8

type TicketPath = Callable[[str], str]  # number → the ticket's desk page


@dataclass(frozen=True)
class HomeRow:
    """One line of a panel: a record's reference and title, a badge, one detail and one
    instant (`at`, described by `at_label`: "due", "replied", …)."""

    reference: str
    title: str
    url: str
    badge: str = ""
    badge_class: str = "neutral"
    detail: str = ""
    at: datetime | None = None
    at_label: str = ""


@dataclass(frozen=True)
class HomePanel:
    key: str
    title: str
    see_all_url: str
    see_all_label: str
    empty_text: str
    rows: list[HomeRow] = field(default_factory=list)


@dataclass(frozen=True)
class TeamCounts:
    team: str
    unassigned: str
    unassigned_url: str
    breached: str
    breached_url: str


@dataclass(frozen=True)
class DeskDay:
    panels: list[HomePanel]
    # None for an agent; the per-team figures for a service desk manager.
    team_counts: list[TeamCounts] | None


def _queue_url(**params: str | int) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{reverse('tickets:desk-ticket-queue')}?{query}"


def _ticket_row(
    ticket: Ticket, path: TicketPath, *, detail: str = "", at: datetime | None, at_label: str
) -> HomeRow:
    return HomeRow(
        reference=ticket.number,
        title=ticket.short_description,
        url=path(ticket.number),
        badge=f"P{ticket.priority}",
        badge_class=PRIORITY_BADGE.get(Priority(ticket.priority), "neutral"),
        detail=detail or ticket.get_status_display(),
        at=at,
        at_label=at_label,
    )


def _sla_row(ticket: Ticket, path: TicketPath, now: datetime) -> HomeRow:
    due = getattr(ticket, "sla_due", None)
    if due is None:
        return _ticket_row(ticket, path, at=None, at_label="no SLA running")
    return _ticket_row(ticket, path, at=due, at_label="breached" if due <= now else "due")


def _mine_by_sla(user: Any, path: TicketPath, now: datetime) -> HomePanel:
    tickets = ticket_selectors.ticket_list_mine_by_sla_due(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="mine",
        title="My tickets by SLA due",
        see_all_url=_queue_url(queue="mine", sort="sla_due"),
        see_all_label="All my tickets",
        empty_text="No open tickets are assigned to you.",
        rows=[_sla_row(ticket, path, now) for ticket in tickets],
    )


def _breaching(user: Any, path: TicketPath, now: datetime) -> HomePanel:
    tickets = ticket_selectors.ticket_list_breaching_soon(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="breaching",
        title="Breaching soon",
        see_all_url=_queue_url(queue="team-breaching", sort="sla_due"),
        see_all_label="All breaching in my teams",
        empty_text="Nothing of yours or your teams' breaches its SLA in the next two hours.",
        rows=[_sla_row(ticket, path, now) for ticket in tickets],
    )


def _replied(user: Any, path: TicketPath) -> HomePanel:
    tickets = ticket_selectors.ticket_list_requester_replied(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="replied",
        title="Requester replied",
        see_all_url=_queue_url(queue="replied"),
        see_all_label="All replied tickets",
        empty_text="No requester has replied since you last looked at your tickets.",
        rows=[
            _ticket_row(
                ticket,
                path,
                detail=str(ticket.requester),
                at=getattr(ticket, "replied_at", None),
                at_label="replied",
            )
            for ticket in tickets
        ],
    )


def _approvals(user: Any) -> HomePanel:
    approvals = catalog_selectors.approval_list_pending_for_home(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="approvals",
        title="Awaiting my approval",
        see_all_url=reverse("catalog:desk-approval-list"),
        see_all_label="All my approvals",
        empty_text="No request is waiting for your approval.",
        rows=[
            HomeRow(
                reference=approval.ticket.number,
                title=approval.ticket.short_description,
                url=reverse("catalog:desk-approval-list") + f"#approval-{approval.pk}",
                badge="Pending",
                badge_class="warning",
                detail=str(approval.ticket.requester),
                at=approval.ticket.created_at,
                at_label="requested",
            )
            for approval in approvals
        ],
    )


def _tasks(user: Any, path: TicketPath) -> HomePanel:
    tasks = catalog_selectors.task_list_for_home(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="tasks",
        title="My tasks",
        see_all_url=reverse("catalog:desk-task-list"),
        see_all_label="All my teams' tasks",
        empty_text="No open fulfilment task is assigned to you or waiting in your teams.",
        rows=[
            HomeRow(
                reference=task.number,
                title=task.title,
                url=path(task.ticket.number),
                badge="Mine" if task.assignee_id == user.pk else "Team",
                badge_class="info" if task.assignee_id == user.pk else "neutral",
                detail=f"{task.ticket.number} · {task.team.name}",
                at=task.created_at,
                at_label="opened",
            )
            for task in tasks
        ],
    )


def _majors() -> HomePanel:
    # The same cached list every desk page's banner reads: no query when it is warm.
    majors = major_selectors.major_desk_banner()
    return HomePanel(
        key="major",
        title="Ongoing major incidents",
        see_all_url=reverse("major:desk-major-list"),
        see_all_label="All major incidents",
        empty_text="No major incident is ongoing.",
        rows=[
            HomeRow(
                reference=major["number"],
                title=major["title"],
                url=major["url"],
                badge="Major",
                badge_class="danger",
                detail=", ".join(major["services"]) or "No service named",
            )
            for major in majors[:PANEL_ROWS]
        ],
    )


def _changes(user: Any) -> HomePanel:
    changes = change_selectors.change_list_in_progress_today(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="changes",
        title="Changes in progress today",
        see_all_url=reverse("changes:desk-change-calendar") + "?view=week",
        see_all_label="This week's change schedule",
        empty_text="No change is being implemented or scheduled for today.",
        rows=[
            HomeRow(
                reference=change.number,
                title=change.title,
                url=reverse("changes:desk-change-detail", args=[change.number]),
                badge=change.get_status_display(),
                badge_class=CHANGE_STATUS_BADGE.get(ChangeRequestStatus(change.status), "neutral"),
                detail=str(change.implementer) if change.implementer else "No implementer",
                at=change.planned_start,
                at_label="starts",
            )
            for change in changes
        ],
    )


def _releases(user: Any) -> HomePanel:
    releases = release_selectors.release_list_in_hypercare(user=user, limit=PANEL_ROWS)
    return HomePanel(
        key="releases",
        title="Releases in hypercare",
        see_all_url=reverse("releases:desk-release-list"),
        see_all_label="All releases",
        empty_text="No release is in hypercare.",
        rows=[
            HomeRow(
                reference=release.number,
                title=release.name,
                url=release.get_absolute_url(),
                badge="Hypercare",
                badge_class="warning",
                at=release.hypercare_ends_at,
                at_label="hypercare ends",
            )
            for release in releases
        ],
    )


def _team_counts(counts: list[TeamTicketCounts]) -> list[TeamCounts]:
    return [
        TeamCounts(
            team=c.team,
            unassigned=c.unassigned,
            unassigned_url=_queue_url(queue="open", team=c.team_id, unassigned="true"),
            breached=c.breached,
            breached_url=_queue_url(queue="breached", team=c.team_id, sort="sla_due"),
        )
        for c in counts
    ]


def desk_day_for(*, user: Any) -> DeskDay:
    """Every panel of `user`'s desk home, and the team figures when `user` manages the
    desk. A fixed number of queries whatever the number of tickets (each panel is bounded)."""
    now = timezone.now()
    path = desk_ticket_paths()  # one reverse() for every ticket row
    panels = [
        _mine_by_sla(user, path, now),
        _breaching(user, path, now),
        _replied(user, path),
        _approvals(user),
        _tasks(user, path),
        _majors(),
        _changes(user),
        _releases(user),
    ]
    team_counts = None
    if user_has_role(user, Role.SERVICE_DESK_MANAGER):
        team_counts = _team_counts(ticket_selectors.team_ticket_counts())
    return DeskDay(panels=panels, team_counts=team_counts)
