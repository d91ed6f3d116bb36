"""Writing canned responses: create, edit, delete, each checked against its scope's rule
(tickets.canned.rules) and audited on the response."""

from typing import Any

from django.db import transaction

from itsm.accounts.models import Team, User
from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import PermissionRefused
from itsm.core.permissions import actor_may
from tickets import permissions as may
from tickets.canned.models import CannedResponse, CannedResponseScope
from tickets.canned.placeholders import PLACEHOLDERS, unknown_placeholders
from tickets.canned.rules import may_write_canned
from tickets.exceptions import InvalidTicketInput

_FIELDS = ("title", "body", "scope", "team_id")


def _clean(*, title: str, body: str, scope: str, team: Team | None) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidTicketInput("Give the response a title.", field="title")
    if not body:
        raise InvalidTicketInput("Write the response.", field="body")
    unknown = unknown_placeholders(body)
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        known = ", ".join("{{ " + name + " }}" for name in PLACEHOLDERS)
        raise InvalidTicketInput(
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {names}. Use {known}.",
            field="body",
        )
    if scope not in CannedResponseScope.values:
        raise InvalidTicketInput("Choose who the response is for.", field="scope")
    if scope == CannedResponseScope.TEAM and team is None:
        raise InvalidTicketInput("Choose the team.", field="team")
    return title, body


def _refuse_unless_allowed(
    actor: User, *, scope: str, team: Team | None, owner_id: int | None
) -> None:
    if not actor_may(actor, may.WRITE_CANNED):
        raise PermissionRefused("Canned responses are for the service desk.")
    if not may_write_canned(actor, scope=scope, team=team, owner_id=owner_id):
        refusals: dict[str, str] = {
            CannedResponseScope.PERSONAL: "Only its owner can change a personal response.",
            CannedResponseScope.TEAM: "Only the team's lead or a service desk manager can "
            "write that team's responses.",
            CannedResponseScope.GLOBAL: "Only a service desk manager or an administrator can "
            "write responses for everyone.",
        }
        refusal = refusals.get(scope, "You cannot write canned responses.")
        raise PermissionRefused(refusal)


@transaction.atomic
def canned_response_create(
    *, actor: User, title: str, body: str, scope: str, team: Team | None = None
) -> CannedResponse:
    """A new canned response owned by `actor`; unknown placeholders are refused, naming them."""
    team = team if scope == CannedResponseScope.TEAM else None
    title, body = _clean(title=title, body=body, scope=scope, team=team)
    _refuse_unless_allowed(actor, scope=scope, team=team, owner_id=actor.pk)
    response = CannedResponse.objects.create(
        title=title, body=body, scope=scope, team=team, owner=actor
    )
    audit_record(record=response, actor=actor, action="canned_response_created")
    return response


@transaction.atomic
def canned_response_update(
    *,
    response: CannedResponse,
    actor: User,
    title: str,
    body: str,
    scope: str,
    team: Team | None = None,
) -> CannedResponse:
    """Edit a response: the actor must be allowed both its old scope and its new one."""
    response = (
        CannedResponse.objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=response.pk)
    )
    _refuse_unless_allowed(
        actor, scope=response.scope, team=response.team, owner_id=response.owner_id
    )
    team = team if scope == CannedResponseScope.TEAM else None
    title, body = _clean(title=title, body=body, scope=scope, team=team)
    _refuse_unless_allowed(actor, scope=scope, team=team, owner_id=response.owner_id)
    before = {name: getattr(response, name) for name in _FIELDS}
    response.title, response.body, response.scope, response.team = title, body, scope, team
    response.save()
    changes = field_changes(before, {name: getattr(response, name) for name in _FIELDS})
    if changes:
        audit_record(
            record=response, actor=actor, action="canned_response_changed", changes=changes
        )
    return response


@transaction.atomic
def canned_response_delete(*, response: CannedResponse, actor: User) -> None:
    """Delete a response (the audit event keeps its title)."""
    _refuse_unless_allowed(
        actor, scope=response.scope, team=response.team, owner_id=response.owner_id
    )
    audit_record(
        record=response,
        actor=actor,
        action="canned_response_deleted",
        message=f"Deleted “{response.title}”.",
    )
    response.delete()


def canned_response_fill(*, response: CannedResponse, ticket: Any, agent: User) -> str:
    """The response's body with its placeholders filled for `ticket` (reads only)."""
    from tickets.canned.placeholders import fill_placeholders, placeholder_values

    return fill_placeholders(response.body, placeholder_values(ticket=ticket, agent=agent))
