"""The desk queue's own writes: bulk actions on a selection and saved filters."""

from collections.abc import Iterable
from typing import Any

from itsm.accounts.models import Team, User
from itsm.core.exceptions import PermissionRefused, TransitionNotAllowed
from itsm.core.permissions import require_permission
from tickets import permissions as may
from tickets.exceptions import InvalidTicketInput
from tickets.models import (
    SavedFilter,
    Ticket,
)

# The one list of what `ticket_update` may change (forms and serializers check against it).
from tickets.services.lifecycle import ticket_assign, ticket_transition

# --- Bulk actions (desk) ---


def tickets_bulk_assign(
    *, tickets: Iterable[Ticket], actor: User, team: Team | None, assignee: User | None
) -> list[str]:
    """Assign several tickets; returns one message per ticket that could not be assigned."""
    errors = []
    for ticket in tickets:
        try:
            ticket_assign(
                ticket=ticket, actor=actor, expected_version=None, team=team, assignee=assignee
            )
        except (InvalidTicketInput, TransitionNotAllowed, PermissionRefused) as exc:
            errors.append(f"{ticket.number}: {exc.message}")
    return errors


def tickets_bulk_transition(
    *, tickets: Iterable[Ticket], actor: User, to_status: str, **fields: Any
) -> list[str]:
    errors = []
    for ticket in tickets:
        try:
            ticket_transition(
                ticket=ticket, to_status=to_status, actor=actor, expected_version=None, **fields
            )
        except (InvalidTicketInput, TransitionNotAllowed, PermissionRefused) as exc:
            errors.append(f"{ticket.number}: {exc.message}")
    return errors


# --- Saved queues ---


def saved_filter_save(*, owner: User, name: str, query: str) -> SavedFilter:
    """Save (or overwrite, by name) an agent's queue filter: the queue page's query string."""
    require_permission(owner, may.VIEW, refusal="Only the service desk keeps queue filters.")
    saved, _ = SavedFilter.objects.update_or_create(
        owner=owner, name=name.strip()[:80], defaults={"query": query[:1000]}
    )
    return saved


# --- Knowledge ---
