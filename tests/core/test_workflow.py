"""The life-cycle engine on a small table of its own (pure: no database)."""

from types import SimpleNamespace

import pytest
from django.db import models

from itsm.core.exceptions import GuardFailed, PermissionRefused, TransitionNotAllowed
from itsm.core.workflow import Lifecycle, Messages, Transition


class Door(models.TextChoices):
    SHUT = "shut", "Shut"
    OPEN = "open", "Open"
    LOCKED = "locked", "Locked"
    GONE = "gone", "Gone"


def _has_key(_door, context):
    return None if context.get("key") else "Bring the key."


def _not_glass(door, _context):
    return "A glass door has no lock." if door.material == "glass" else None


TABLE = {
    (Door.SHUT, Door.LOCKED): Transition(
        "lock", "Lock", who=("keeper",), guards=(_has_key,), only_if=(_not_glass,)
    ),
    (Door.SHUT, Door.OPEN): Transition("open", "Open"),
    (Door.OPEN, Door.SHUT): Transition("shut", "Shut", backward=True),
    (Door.LOCKED, Door.SHUT): Transition(
        "unlock", "Unlock", who=("keeper", "caretaker"), requires=("reason",)
    ),
    (Door.LOCKED, Door.GONE): Transition("remove", "Remove", who=("caretaker",)),
}
DOORS = Lifecycle(
    noun="door", statuses=Door, transitions=TABLE, field_labels={"reason": "a reason"}
)


def door(status=Door.SHUT, material="oak"):
    return SimpleNamespace(status=status, material=material)


def keeper(rule):
    return rule == "keeper"


def test_a_move_in_the_table_with_its_rules_met_is_allowed():
    assert DOORS.refusal(door(), Door.LOCKED, may=keeper, context={"key": "k"}) is None
    assert DOORS.check(door(), Door.LOCKED, may=keeper, context={"key": "k"}).name == "lock"


@pytest.mark.parametrize(
    ("subject", "to_status", "may", "context", "message"),
    [
        (door(), "ajar", keeper, {}, "“ajar” is not a door status."),
        (door(), Door.SHUT, keeper, {}, "The door is already shut."),
        (door(), Door.GONE, keeper, {}, "A door cannot go from shut to gone."),
        (door(material="glass"), Door.LOCKED, keeper, {"key": "k"}, "A glass door has no lock."),
        (door(), Door.LOCKED, lambda rule: False, {"key": "k"}, "You may not lock this door."),
        (door(Door.LOCKED), Door.SHUT, keeper, {"reason": "  "}, "Please give a reason."),
        (door(), Door.LOCKED, keeper, {}, "Bring the key."),
    ],
)
def test_each_refusal_says_why(subject, to_status, may, context, message):
    assert DOORS.refusal(subject, to_status, may=may, context=context) == message


def test_the_first_reason_wins_in_order_table_type_actor_fields_guards():
    """GIVEN a glass door and an actor who may not lock without the key
    WHEN they try to lock it THEN the move not existing for glass is what they read."""
    assert DOORS.refusal(door(material="glass"), Door.LOCKED, may=lambda r: False) == (
        "A glass door has no lock."
    )


def test_any_one_of_the_who_rules_is_enough():
    caretaker = {"caretaker"}.__contains__
    assert (
        DOORS.refusal(door(Door.LOCKED), Door.SHUT, may=caretaker, context={"reason": "r"}) is None
    )


def test_check_raises_the_life_cycles_errors_naming_the_field():
    strict = Lifecycle(
        noun="door",
        statuses=Door,
        transitions=TABLE,
        field_labels={"reason": "a reason"},
        messages=Messages(actor="Only the keeper may {label}."),
        actor_error=PermissionRefused,
        guard_error=GuardFailed,
    )
    with pytest.raises(TransitionNotAllowed) as table:
        strict.check(door(), Door.GONE, may=keeper)
    assert table.value.field == "to_status"
    with pytest.raises(PermissionRefused, match=r"Only the keeper may lock\."):
        strict.check(door(), Door.LOCKED, may=lambda rule: False)
    with pytest.raises(GuardFailed, match=r"Bring the key\."):
        strict.check(door(), Door.LOCKED, may=keeper)
    with pytest.raises(GuardFailed, match=r"Please give a reason\."):
        strict.check(door(Door.LOCKED), Door.SHUT, may=keeper)


def test_every_refusal_is_transition_not_allowed_by_default():
    with pytest.raises(TransitionNotAllowed, match=r"You may not lock this door\."):
        DOORS.check(door(), Door.LOCKED, may=lambda rule: False)
    with pytest.raises(TransitionNotAllowed, match=r"Bring the key\."):
        DOORS.check(door(), Door.LOCKED, may=keeper)


def test_allowed_lists_the_moves_for_this_actor_and_record_in_table_order():
    assert [to for to, _ in DOORS.allowed(door(), may=keeper)] == [Door.LOCKED, Door.OPEN]
    assert [to for to, _ in DOORS.allowed(door(), may=lambda rule: False)] == [Door.OPEN]
    # only_if hides the move; guards are not asked (they judge input not given yet).
    assert [to for to, _ in DOORS.allowed(door(material="glass"), may=keeper)] == [Door.OPEN]
    assert [to for to, _ in DOORS.allowed(door(Door.LOCKED), may=keeper)] == [Door.SHUT]


def test_the_default_move_is_the_first_forward_one_never_a_step_back():
    shut_moves = DOORS.allowed(door(), may=keeper)
    assert DOORS.default_move(shut_moves) == Door.LOCKED
    assert DOORS.default_move(DOORS.allowed(door(Door.OPEN))) is None
    assert DOORS.default_move([]) is None


@pytest.mark.parametrize(
    ("table", "labels", "problem"),
    [
        ({(Door.SHUT, "ajar"): Transition("x", "X")}, {}, "not a status"),
        ({(Door.SHUT, Door.SHUT): Transition("x", "X")}, {}, "goes nowhere"),
        ({(Door.SHUT, Door.OPEN): Transition("x", "X", requires=("why",))}, {}, "no label"),
    ],
)
def test_a_broken_table_fails_at_import(table, labels, problem):
    with pytest.raises(ValueError, match=problem):
        Lifecycle(noun="door", statuses=Door, transitions=table, field_labels=labels)
