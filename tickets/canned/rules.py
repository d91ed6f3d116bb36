"""Who may write a canned response of each scope (one place: the services enforce it, the
desk list uses it to offer Edit and Delete)."""

from typing import Any

from itsm.core.permissions import actor_may
from tickets import permissions as may
from tickets.canned.models import CannedResponseScope


def may_write_canned(actor: Any, *, scope: str, team: Any = None, owner_id: int | None) -> bool:
    """Personal: its owner. Team: the team's lead, or a service desk manager or administrator.
    Global: a service desk manager or administrator. Everyone needs the agent's permission."""
    if not actor_may(actor, may.WRITE_CANNED):
        return False
    if scope == CannedResponseScope.PERSONAL:
        return owner_id is None or owner_id == actor.pk
    if actor_may(actor, may.MANAGE_SHARED_CANNED):
        return True
    return scope == CannedResponseScope.TEAM and team is not None and team.lead_id == actor.pk
