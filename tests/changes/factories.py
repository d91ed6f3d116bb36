"""Helpers that raise changes and blackouts through the real services (tests of changes and
releases share them)."""

from datetime import datetime, timedelta

from changes import services as change_services
from changes.models import BlackoutWindow, ChangeRequest
from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory

RISK_LOW = {"impact": "minor", "likelihood": "low", "backout": "easy", "criticality": "low"}


def change_manager():
    return UserFactory(
        email="chris@example.com", display_name="Chris Change", roles=[Role.CHANGE_MANAGER]
    )


def cab(n: int):
    return [
        UserFactory(
            email=f"cab{i}@example.com", display_name=f"CAB Member {i}", roles=[Role.CAB_MEMBER]
        )
        for i in range(1, n + 1)
    ]


def make_change(
    *,
    actor,
    start: datetime | None = None,
    hours: float = 2,
    services=(),
    cis=(),
    title="Patch the database cluster",
    **fields,
) -> ChangeRequest:
    if start is not None:
        fields.setdefault("planned_start", start)
        fields.setdefault("planned_end", start + timedelta(hours=hours))
    return change_services.change_create(
        actor=actor, title=title, services=services, cis=cis, **fields
    )


def move(change, actor, to_status, **fields) -> ChangeRequest:
    change.refresh_from_db()
    return change_services.change_transition(
        change=change, actor=actor, to_status=to_status, expected_version=change.version, **fields
    )


def to_cab(change, manager) -> ChangeRequest:
    move(change, manager, "assessment")
    change.refresh_from_db()
    change_services.change_assess_risk(
        change=change, actor=manager, expected_version=change.version, answers=RISK_LOW
    )
    return move(change, manager, "cab")


def approve_all(change, members) -> ChangeRequest:
    for member in members:
        change = change_services.change_decide(
            change=change, actor=member, decision="approved", comment="Fine by me."
        )
    return change


def blackout(*, name="Month-end freeze", start, end, services_=()) -> BlackoutWindow:
    window = BlackoutWindow.objects.create(name=name, starts_at=start, ends_at=end)
    window.services.set(services_)
    return window
