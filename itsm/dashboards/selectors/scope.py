"""Who sees which dashboard figures: decided once, applied in SQL by every figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from itsm.accounts.models import Team
from itsm.accounts.roles import Role, user_has_role, user_is_staff_member
from itsm.cmdb.models import Service
from itsm.dashboards.selectors.filters import DashboardFilters


@dataclass(frozen=True)
class DashboardScope:
    """The tickets a dashboard user may see figures of: all, their teams', or their own."""

    everything: bool = False
    team_ids: tuple[int, ...] = ()
    agent_id: int | None = None
    label: str = ""

    def ticket_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        if self.team_ids:
            return Q(**{f"{prefix}assignment_team_id__in": self.team_ids})
        return Q(**{f"{prefix}assignee_id": self.agent_id})


def dashboard_scope_for(user: Any) -> DashboardScope:
    """Service desk managers and administrators see everything; team leads see the tickets
    of the teams they lead; other desk staff see the tickets assigned to them. Requesters
    (and anyone outside the desk) are refused."""
    if not user_is_staff_member(user):
        raise PermissionDenied("Dashboards are for service desk staff.")
    if user.is_superuser or any(
        user_has_role(user, role) for role in (Role.SERVICE_DESK_MANAGER, Role.ADMINISTRATOR)
    ):
        return DashboardScope(everything=True, label="the whole service desk")
    led = tuple(Team.objects.filter(lead=user).order_by("name").values_list("id", "name"))
    if led:
        return DashboardScope(
            team_ids=tuple(pk for pk, _ in led), label=", ".join(name for _, name in led)
        )
    return DashboardScope(agent_id=user.pk, label="your own tickets")


def dashboard_filter_choices(
    scope: DashboardScope,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The filter bar's (teams, services) as (id, name) pairs by name: the teams only those
    in `scope` (a team lead cannot pick another team's figures), every service. Two queries."""
    teams = Team.objects.order_by("name")
    if not scope.everything:
        teams = teams.filter(pk__in=scope.team_ids)
    return (
        list(teams.values_list("id", "name")),
        list(Service.objects.order_by("name").values_list("id", "name")),
    )


def dashboard_process_access(user: Any) -> bool:
    """Process views (changes, problems, knowledge, major incidents) are desk-wide figures:
    managers, administrators and the process owners see them."""
    if not user_is_staff_member(user):
        return False
    return user.is_superuser or any(
        user_has_role(user, role)
        for role in (
            Role.SERVICE_DESK_MANAGER,
            Role.ADMINISTRATOR,
            Role.CHANGE_MANAGER,
            Role.PROBLEM_MANAGER,
            Role.RELEASE_MANAGER,
            Role.KNOWLEDGE_EDITOR,
        )
    )


def dashboard_figures_label(*, scope: DashboardScope, filters: DashboardFilters) -> str:
    """Whose tickets a page's figures are of, for its heading: the scope's label, or the
    filtered team's name when the team filter is set (one query, then)."""
    if filters.team_id is None:
        return scope.label
    team = Team.objects.filter(pk=filters.team_id).values_list("name", flat=True).first()
    team = team or "an unknown team"
    if not scope.everything and not scope.team_ids:
        return f"{scope.label} in {team}"
    return team
