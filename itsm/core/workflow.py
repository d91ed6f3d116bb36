"""The life-cycle engine every process record shares (STYLE §3): tickets, problems, changes,
releases and knowledge articles each describe their life cycle as a table of `Transition`s in
their own `workflow.py`; this module walks the table.

It answers "may this actor move this record from A to B, and if not, why?" (`refusal`,
`check`), lists the moves to offer (`allowed`, for the buttons on a page and the API) and picks
the one a form should preselect (`default_move`). Pure Python: no ORM, no writes. Each app's
transition service is the only caller that applies a move.

Who may move is the app's business: a move names the rules of which the actor must satisfy one
(`who`: permission codenames or an app's actor roles), and the caller passes `may`, the
question "does the actor satisfy this rule?" (`user.has_perm`, or `roles.__contains__`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import TextChoices

from itsm.core.exceptions import DomainError, TransitionNotAllowed

Guard = Callable[[Any, Mapping[str, Any]], str | None]
May = Callable[[str], bool]

NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})


def anyone(_rule: str) -> bool:
    """`may` for callers that already checked who acts (or for moves without `who`)."""
    return True


@dataclass(frozen=True)
class Transition:
    """One move of a life cycle.

    - `who`: rules of which the actor must satisfy one; empty when the service has already
      decided who may act at all.
    - `requires`: context fields that must be given (not blank), named in the refusal through
      the life cycle's `field_labels`.
    - `only_if`: guards that decide whether the move exists for this record at all (a normal
      change has no "schedule as a standard change" move). A move whose `only_if` fails is
      not offered, and trying it is refused with the guard's message. They are asked with the
      listing context too, so they should read the record (and at most the actor).
    - `guards`: checked when the move is tried; they may read the context the service built
      (the actor's input, facts it looked up).
    - `backward`: a step back (rebuild, send back); never preselected on a form.
    """

    name: str
    label: str
    who: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()
    only_if: tuple[Guard, ...] = ()
    backward: bool = False


@dataclass(frozen=True)
class Messages:
    """What a refused actor reads. Placeholders: {noun}, {from_} and {to} (status labels in
    lower case; {to} is the raw value for an unknown status), {label} (the move's label in
    lower case) and {fields} (the missing fields, named)."""

    unknown: str = "“{to}” is not a {noun} status."
    same: str = "The {noun} is already {to}."
    no_move: str = "A {noun} cannot go from {from_} to {to}."
    actor: str = "You may not {label} this {noun}."
    missing: str = "Please give {fields}."


@dataclass(frozen=True)
class Refusal:
    """Why a move is refused, and the domain error it is raised as."""

    message: str
    error: type[DomainError] = TransitionNotAllowed

    def exception(self) -> DomainError:
        return self.error(self.message, field="to_status")


@dataclass(frozen=True)
class Lifecycle:
    """A life cycle: its statuses, its table, and how its refusals read.

    `actor_error` and `guard_error` are the domain errors refusals by `who` and by guards or
    missing fields raise as (knowledge answers 403 for a missing permission); every other
    refusal is `TransitionNotAllowed`.
    """

    noun: str
    statuses: type[TextChoices]
    transitions: Mapping[tuple[str, str], Transition]
    field_labels: Mapping[str, str] = field(default_factory=dict)
    messages: Messages = field(default_factory=Messages)
    actor_error: type[DomainError] = TransitionNotAllowed
    guard_error: type[DomainError] = TransitionNotAllowed

    def __post_init__(self) -> None:
        # A typo in a table must fail at import, not as a move nobody can ever make.
        for (from_status, to_status), move in self.transitions.items():
            for status in (from_status, to_status):
                if status not in self.statuses.values:
                    raise ValueError(f"{self.noun} table: “{status}” is not a status.")
            if from_status == to_status:
                raise ValueError(f"{self.noun} table: {move.name} goes nowhere.")
            unnamed = set(move.requires) - set(self.field_labels)
            if unnamed:
                raise ValueError(f"{self.noun} table: no label for {sorted(unnamed)}.")

    # --- The table ---

    def transition_for(self, from_status: str, to_status: str) -> Transition | None:
        return self.transitions.get((from_status, to_status))

    def _label(self, status: str) -> str:
        return self.statuses(status).label.lower()

    # --- May this actor make this move? ---

    def refusal_for(
        self,
        record: Any,
        to_status: str,
        *,
        may: May = anyone,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> Refusal | None:
        """Why `record` may not move to `to_status`, or None when it may.

        Checked in this order, so the first reason is the one that matters: the status
        exists, differs, the table has the move, the move exists for this record
        (`only_if`), the actor may make it, required fields are given, guards pass.
        """
        text = self.messages
        names = {"noun": self.noun, "from_": self._label(record.status), "to": to_status}
        if to_status not in self.statuses.values:
            return Refusal(text.unknown.format(**names))
        names["to"] = self._label(to_status)
        if record.status == to_status:
            return Refusal(text.same.format(**names))
        move = self.transition_for(record.status, to_status)
        if move is None:
            return Refusal(text.no_move.format(**names))
        for condition in move.only_if:
            if message := condition(record, context):
                return Refusal(message)
        if move.who and not any(may(rule) for rule in move.who):
            return Refusal(text.actor.format(**names, label=move.label.lower()), self.actor_error)
        missing = [name for name in move.requires if not str(context.get(name) or "").strip()]
        if missing:
            fields = " and ".join(self.field_labels[name] for name in missing)
            return Refusal(text.missing.format(**names, fields=fields), self.guard_error)
        for guard in move.guards:
            if message := guard(record, context):
                return Refusal(message, self.guard_error)
        return None

    def refusal(
        self,
        record: Any,
        to_status: str,
        *,
        may: May = anyone,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> str | None:
        """The message of `refusal_for`: what the actor reads, or None when the move is fine."""
        refused = self.refusal_for(record, to_status, may=may, context=context)
        return refused.message if refused else None

    def check(
        self,
        record: Any,
        to_status: str,
        *,
        may: May = anyone,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> Transition:
        """The move to make, or the refusal raised as its domain error."""
        refused = self.refusal_for(record, to_status, may=may, context=context)
        if refused is not None:
            raise refused.exception()
        move = self.transition_for(record.status, to_status)
        assert move is not None  # refusal_for refused every status pair outside the table
        return move

    # --- What to offer ---

    def allowed(
        self, record: Any, *, may: May = anyone, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[tuple[str, Transition]]:
        """(to_status, move) pairs to offer from the record's status to this actor, in table
        order. Guards are not asked: they judge the input the actor has not given yet."""
        return [
            (to_status, move)
            for (from_status, to_status), move in self.transitions.items()
            if from_status == record.status
            and (not move.who or any(may(rule) for rule in move.who))
            and not any(condition(record, context) for condition in move.only_if)
        ]

    @staticmethod
    def default_move(moves: list[tuple[str, Transition]]) -> str | None:
        """The move a form preselects: the first forward one in table order (tables list the
        natural next step first), never a step back. None when only steps back are left, so
        the form asks instead of guessing."""
        return next((to_status for to_status, move in moves if not move.backward), None)
