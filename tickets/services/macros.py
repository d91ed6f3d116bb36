"""Macros: keep them (team leads and managers), and apply one to a ticket or a selection.

Applying runs each step through the service the ticket page itself calls, as the applying
agent, in one transaction per ticket: a step that is refused (by a permission, the life
cycle, a guard, a stale version) rolls back the steps before it, so a ticket gets the whole
macro or nothing of it, and the refusal names the step.
"""

from typing import Any

from django.db import transaction

from itsm.accounts.models import Team, User
from itsm.audit.services import audit_record, field_changes
from itsm.core.cache import cached, forget
from itsm.core.exceptions import DomainError, PermissionRefused
from itsm.core.locking import lock_for_update
from itsm.core.permissions import actor_may, require_permission
from tickets import permissions as may
from tickets.choices import TicketStatus
from tickets.exceptions import InvalidTicketInput
from tickets.models import Macro, Ticket
from tickets.services.lifecycle import (
    comment_add,
    ticket_assign,
    ticket_transition,
    ticket_update,
)
from tickets.services.relations import ticket_link_article

# The steps a macro may hold, as Macro fields (forms and serializers offer these).
MACRO_FIELDS = (
    "name",
    "description",
    "team",
    "is_active",
    "category",
    "impact",
    "urgency",
    "assignment_team",
    "assignee",
    "reply_body",
    "note_body",
    "article",
    "to_status",
    "on_hold_reason",
    "resolution_code",
)
MACRO_CHOICES_KEY = "tickets:macro-choices"


# --- Who manages which macro ---


def macro_may_manage(*, actor: User, team: Team | None) -> bool:
    """Managers and administrators manage every macro; a team's lead manages that team's."""
    if actor_may(actor, may.MANAGE_MACRO):
        return True
    return team is not None and team.lead_id == actor.pk


def _require_manage(actor: User, team: Team | None) -> None:
    if not macro_may_manage(actor=actor, team=team):
        raise PermissionRefused(
            "Only the team's lead or a service desk manager can manage this macro."
            if team is not None
            else "Only a service desk manager or an administrator can manage global macros.",
            field="team",
        )


def _clean(values: dict[str, Any]) -> None:
    """A macro that does something, and whose status step has what that move needs."""
    if not str(values.get("name") or "").strip():
        raise InvalidTicketInput("Give the macro a name agents will recognise.", field="name")
    steps = ("category", "impact", "urgency", "assignment_team", "assignee")
    texts = ("reply_body", "note_body", "to_status")
    if not any(values.get(n) is not None for n in steps) and not any(
        values.get(n) for n in (*texts, "article")
    ):
        raise InvalidTicketInput(
            "Choose at least one step: a field to set, a reply, a work note, an article or a "
            "status.",
            field="to_status",
        )
    if (values.get("impact") is None) != (values.get("urgency") is None):
        raise InvalidTicketInput("Set impact and urgency together.", field="urgency")
    assignee, team = values.get("assignee"), values.get("assignment_team")
    if assignee is not None:
        if team is None:
            raise InvalidTicketInput("Choose the team the agent works in.", field="assignment_team")
        if not team.members.filter(pk=assignee.pk).exists():
            raise InvalidTicketInput(f"{assignee} is not a member of {team}.", field="assignee")
    category = values.get("category")
    if category is not None and (category.parent_id is not None or not category.is_active):
        raise InvalidTicketInput("Choose an active top-level category.", field="category")
    status = values.get("to_status") or ""
    if status == TicketStatus.ON_HOLD and not values.get("on_hold_reason"):
        raise InvalidTicketInput("Say why the tickets go on hold.", field="on_hold_reason")
    if status == TicketStatus.RESOLVED:
        if not values.get("resolution_code"):
            raise InvalidTicketInput("Choose a resolution code.", field="resolution_code")
        if not (values.get("reply_body") or values.get("note_body") or "").strip():
            raise InvalidTicketInput(
                "A macro that resolves needs a reply or a work note: it becomes the "
                "resolution notes.",
                field="reply_body",
            )
    if (
        status == TicketStatus.CANCELLED
        and not (values.get("reply_body") or values.get("note_body") or "").strip()
    ):
        raise InvalidTicketInput(
            "A macro that cancels needs a reply or a work note: it becomes the reason.",
            field="reply_body",
        )
    if status and status not in TicketStatus.values:
        raise InvalidTicketInput(f"“{status}” is not a status.", field="to_status")


def _snapshot(macro: Macro) -> dict[str, Any]:
    return {name: getattr(macro, name) for name in MACRO_FIELDS}


# --- Keeping macros ---


@transaction.atomic
def macro_create(*, actor: User, **values: Any) -> Macro:
    """A new macro (audited as `created`); its owner team decides who may manage it."""
    unknown = set(values) - set(MACRO_FIELDS)
    if unknown:
        raise InvalidTicketInput(f"Macros have no {', '.join(sorted(unknown))}.")
    _require_manage(actor, values.get("team"))
    _clean(values)
    if Macro.objects.filter(name__iexact=str(values["name"]).strip()).exists():
        raise InvalidTicketInput("A macro with this name exists already.", field="name")
    macro = Macro(created_by=actor, **values)
    macro.name = macro.name.strip()
    macro.save()
    audit_record(
        record=macro,
        actor=actor,
        action="created",
        changes={"version": {"from": None, "to": 1}},
        message=macro.name,
    )
    transaction.on_commit(macro_choices_forget)
    return macro


@transaction.atomic
def macro_update(
    *, macro: Macro, actor: User, expected_version: int | None, **values: Any
) -> Macro:
    """Change a macro's steps (a stale version is a 409); moving it to another team needs
    the right to manage both."""
    unknown = set(values) - set(MACRO_FIELDS)
    if unknown:
        raise InvalidTicketInput(f"Macros have no {', '.join(sorted(unknown))}.")
    macro = lock_for_update(Macro.objects.all(), pk=macro.pk, expected_version=expected_version)
    _require_manage(actor, macro.team)
    before = _snapshot(macro)
    for name, value in values.items():
        setattr(macro, name, value)
    if "team" in values:
        _require_manage(actor, macro.team)
    _clean(_snapshot(macro))
    if Macro.objects.filter(name__iexact=macro.name.strip()).exclude(pk=macro.pk).exists():
        raise InvalidTicketInput("A macro with this name exists already.", field="name")
    changes = field_changes(before, _snapshot(macro))
    macro.version += 1
    changes["version"] = {"from": macro.version - 1, "to": macro.version}
    macro.save()
    audit_record(record=macro, actor=actor, action="updated", changes=changes)
    transaction.on_commit(macro_choices_forget)
    return macro


@transaction.atomic
def macro_delete(*, macro: Macro, actor: User) -> None:
    """Delete a macro (audited on it first, so the timeline keeps who removed it)."""
    _require_manage(actor, macro.team)
    audit_record(record=macro, actor=actor, action="deleted", message=macro.name)
    macro.delete()
    transaction.on_commit(macro_choices_forget)


def macro_choices() -> list[tuple[int, str]]:
    """(id, label) of the active macros, for the ticket page and the bulk bar: cached until a
    macro changes, so neither page pays a query for it."""
    return cached(MACRO_CHOICES_KEY, seconds=3600, compute=_macro_choices)


def _macro_choices() -> list[tuple[int, str]]:
    return [
        (pk, f"{name} ({team})" if team else name)
        for pk, name, team in Macro.objects.filter(is_active=True)
        .order_by("name")
        .values_list("pk", "name", "team__name")
    ]


def macro_choices_forget() -> None:
    forget(MACRO_CHOICES_KEY)


# --- Applying ---


def macro_steps(macro: Macro) -> list[str]:
    """The macro's steps in the order they run, in words (the list page and the result)."""
    steps = []
    if macro.category_id:
        steps.append(f"category {macro.category}")
    if macro.impact is not None:
        steps.append(f"impact {macro.impact} × urgency {macro.urgency}")
    if macro.assignment_team_id:
        steps.append(
            f"assign to {macro.assignment_team}"
            + (f" / {macro.assignee}" if macro.assignee_id else "")
        )
    if macro.reply_body:
        steps.append("reply")
    if macro.note_body:
        steps.append("work note")
    if macro.article is not None:
        steps.append(f"link {macro.article.number}")
    if macro.to_status:
        steps.append(f"status {macro.get_to_status_display().lower()}")
    return steps


class MacroStepRefused(DomainError):
    """A step of a macro was refused: the ticket is left as it was, the step named."""

    def __init__(self, step: str, error: DomainError) -> None:
        super().__init__(f"{step}: {error.message}", field=error.field)
        self.code = error.code
        self.status_code = error.status_code


def _step(name: str, run: Any) -> Any:
    try:
        return run()
    except DomainError as exc:
        if isinstance(exc, MacroStepRefused) or exc.code == "stale_version":
            raise
        raise MacroStepRefused(name, exc) from exc


@transaction.atomic
def macro_apply(*, macro: Macro, ticket: Ticket, actor: User, expected_version: int | None) -> str:
    """Apply `macro` to `ticket` as `actor`; returns what was done, in words.

    All or nothing for the ticket: every step goes through the ticket page's own service
    (its permission, life-cycle and guard checks, audit events, SLA and notifications), in
    this one transaction, and the first refusal (MacroStepRefused, naming the step) rolls
    back the steps before it. The version the agent saw is checked by the first write; the
    ticket stays locked for the others. Audited on the ticket as `macro_applied`.
    """
    require_permission(actor, may.VIEW, refusal="Only the service desk can apply macros.")
    if not macro.is_active:
        raise InvalidTicketInput(f"The macro “{macro}” is switched off.", field="macro")
    ticket = lock_for_update(Ticket.objects.all(), pk=ticket.pk, expected_version=expected_version)
    fields: dict[str, Any] = {}
    if macro.category_id:
        fields |= {"category": macro.category, "subcategory": None}
    if macro.impact is not None:
        fields |= {"impact": macro.impact, "urgency": macro.urgency}
    if fields:
        ticket = _step(
            "setting fields",
            lambda: ticket_update(ticket=ticket, actor=actor, expected_version=None, **fields),
        )
    if macro.assignment_team_id:
        ticket = _step(
            "assigning",
            lambda: ticket_assign(
                ticket=ticket,
                actor=actor,
                expected_version=None,
                team=macro.assignment_team,
                assignee=macro.assignee,
            ),
        )
    for body, public in ((macro.reply_body, True), (macro.note_body, False)):
        if body.strip():
            _step(
                "the reply" if public else "the work note",
                lambda body=body, public=public: comment_add(
                    ticket=ticket, author=actor, body=body, is_public=public
                ),
            )
    if macro.article_id:
        _step(
            "linking the article",
            lambda: ticket_link_article(ticket=ticket, article=macro.article, actor=actor),
        )
    if macro.to_status:
        text = (macro.reply_body or macro.note_body).strip()
        ticket = _step(
            "the status",
            lambda: ticket_transition(
                ticket=ticket,
                to_status=macro.to_status,
                actor=actor,
                expected_version=None,
                on_hold_reason=macro.on_hold_reason,
                resolution_code=macro.resolution_code,
                resolution_notes=text,
                reason=text,
            ),
        )
    steps = macro_steps(macro)
    audit_record(
        record=ticket, actor=actor, action="macro_applied", message=f"{macro}: {', '.join(steps)}"
    )
    return f"macro “{macro}” applied ({', '.join(steps)})."
