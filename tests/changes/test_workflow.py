"""The change life-cycle table, pair by pair, and the CAB quorum rules."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from changes import workflow
from changes.choices import ChangeRequestStatus as S

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

ALLOWED = {
    (S.DRAFT, S.ASSESSMENT),
    (S.DRAFT, S.SCHEDULED),
    (S.DRAFT, S.CAB),
    (S.DRAFT, S.IMPLEMENTING),
    (S.DRAFT, S.CANCELLED),
    (S.ASSESSMENT, S.CAB),
    (S.ASSESSMENT, S.SCHEDULED),
    (S.ASSESSMENT, S.IMPLEMENTING),
    (S.ASSESSMENT, S.CANCELLED),
    (S.CAB, S.SCHEDULED),
    (S.CAB, S.IMPLEMENTING),
    (S.CAB, S.REJECTED),
    (S.CAB, S.CANCELLED),
    (S.SCHEDULED, S.IMPLEMENTING),
    (S.SCHEDULED, S.CANCELLED),
    (S.IMPLEMENTING, S.REVIEW),
    (S.REVIEW, S.CLOSED),
}


def change(**overrides):
    values = {
        "status": S.DRAFT,
        "change_type": "normal",
        "planned_start": NOW - timedelta(hours=1),
        "planned_end": NOW + timedelta(hours=1),
        "risk_assessed_level": "low",
        "risk_override_level": "",
        "cab_decision": "",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


CONTEXT = {
    "now": NOW,
    "has_scope": True,
    "reason": "r",
    "review_outcome": "successful",
    "review_notes": "n",
    "blackouts": [],
}


@pytest.mark.parametrize("from_status", S.values)
@pytest.mark.parametrize("to_status", S.values)
def test_every_pair_is_in_the_table_or_refused(from_status, to_status):
    move = workflow.transition_for(from_status, to_status)
    assert (move is not None) == ((from_status, to_status) in ALLOWED)
    if move is None:
        message = workflow.refusal(
            change(status=from_status), to_status, roles={workflow.MANAGE}, context=CONTEXT
        )
        assert message is not None
        assert "cannot go from" in message or "already" in message


@pytest.mark.parametrize(
    ("status", "to_status", "overrides"),
    [
        (S.DRAFT, S.ASSESSMENT, {}),
        (S.ASSESSMENT, S.CAB, {}),
        (S.CAB, S.SCHEDULED, {"cab_decision": "approved"}),
        (S.SCHEDULED, S.IMPLEMENTING, {}),
        (S.IMPLEMENTING, S.REVIEW, {}),
        (S.REVIEW, S.CLOSED, {}),
    ],
)
def test_normal_path_is_allowed_to_the_change_manager(status, to_status, overrides):
    subject = change(status=status, **overrides)
    assert workflow.refusal(subject, to_status, roles={workflow.MANAGE}, context=CONTEXT) is None


def test_scheduling_without_approved_cab_decision_is_refused():
    for decision in ("", "pending", "rejected"):
        message = workflow.refusal(
            change(status=S.CAB, cab_decision=decision),
            S.SCHEDULED,
            roles={workflow.MANAGE},
            context=CONTEXT,
        )
        assert message == "The change cannot be scheduled without an approved CAB decision."


def test_standard_change_schedules_from_draft_without_cab():
    subject = change(change_type="standard")
    assert workflow.refusal(subject, S.SCHEDULED, roles={workflow.MANAGE}, context=CONTEXT) is None
    assert "Only a standard change" in workflow.refusal(
        change(), S.SCHEDULED, roles={workflow.MANAGE}, context=CONTEXT
    )


def test_standard_change_never_goes_to_cab():
    subject = change(status=S.ASSESSMENT, change_type="standard")
    assert "pre-approved" in workflow.refusal(
        subject, S.CAB, roles={workflow.MANAGE}, context=CONTEXT
    )


def test_scheduling_into_a_blackout_needs_an_override_reason():
    subject = change(status=S.CAB, cab_decision="approved")
    context = {**CONTEXT, "blackouts": ["Month-end freeze"]}
    message = workflow.refusal(subject, S.SCHEDULED, roles={workflow.MANAGE}, context=context)
    assert "“Month-end freeze”" in message
    context["blackout_override_reason"] = "Security fix cannot wait."
    assert workflow.refusal(subject, S.SCHEDULED, roles={workflow.MANAGE}, context=context) is None


def test_implementing_outside_the_window_needs_an_override_reason():
    subject = change(
        status=S.SCHEDULED,
        planned_start=NOW + timedelta(hours=2),
        planned_end=NOW + timedelta(hours=3),
    )
    assert "outside the planned window" in workflow.refusal(
        subject, S.IMPLEMENTING, roles={workflow.MANAGE}, context=CONTEXT
    )
    context = {**CONTEXT, "window_override_reason": "Vendor engineer is here early."}
    assert (
        workflow.refusal(subject, S.IMPLEMENTING, roles={workflow.MANAGE}, context=context) is None
    )


def test_window_end_is_exclusive_for_implementing():
    subject = change(status=S.SCHEDULED, planned_start=NOW - timedelta(hours=1), planned_end=NOW)
    assert workflow.refusal(subject, S.IMPLEMENTING, roles={workflow.MANAGE}, context=CONTEXT)


def test_emergency_change_skips_to_emergency_cab_and_implements_from_there():
    subject = change(change_type="emergency")
    assert workflow.refusal(subject, S.CAB, roles={workflow.MANAGE}, context=CONTEXT) is None
    approved = change(status=S.CAB, change_type="emergency", cab_decision="approved")
    assert (
        workflow.refusal(approved, S.IMPLEMENTING, roles={workflow.MANAGE}, context=CONTEXT) is None
    )
    pending = change(status=S.CAB, change_type="emergency", cab_decision="pending")
    assert "has not approved" in workflow.refusal(
        pending, S.IMPLEMENTING, roles={workflow.MANAGE}, context=CONTEXT
    )


def test_only_emergency_changes_skip_the_queue():
    assert "Only an emergency change" in workflow.refusal(
        change(), S.CAB, roles={workflow.MANAGE}, context=CONTEXT
    )
    assert "Only an emergency change" in workflow.refusal(
        change(status=S.CAB, cab_decision="approved"),
        S.IMPLEMENTING,
        roles={workflow.MANAGE},
        context=CONTEXT,
    )


def test_emergency_implemented_first_cannot_close_before_the_cab_reviewed_it():
    subject = change(status=S.REVIEW, change_type="emergency", cab_decision="pending")
    assert "emergency CAB must review" in workflow.refusal(
        subject, S.CLOSED, roles={workflow.MANAGE}, context=CONTEXT
    )
    subject.cab_decision = "approved"
    assert workflow.refusal(subject, S.CLOSED, roles={workflow.MANAGE}, context=CONTEXT) is None


@pytest.mark.parametrize(
    ("to_status", "missing", "message"),
    [
        (S.CANCELLED, "reason", "Please give a reason."),
        (S.REVIEW, "review_outcome", "Please give the outcome of the implementation."),
        (S.CLOSED, "review_notes", "Please give review notes."),
    ],
)
def test_required_fields_are_named(to_status, missing, message):
    status = {S.CANCELLED: S.DRAFT, S.REVIEW: S.IMPLEMENTING, S.CLOSED: S.REVIEW}[to_status]
    context = {**CONTEXT, missing: ""}
    assert (
        workflow.refusal(change(status=status), to_status, roles={workflow.MANAGE}, context=context)
        == message
    )


def test_requester_may_submit_and_cancel_but_not_schedule():
    roles = {workflow.REQUESTER}
    assert workflow.refusal(change(), S.ASSESSMENT, roles=roles, context=CONTEXT) is None
    assert workflow.refusal(change(), S.CANCELLED, roles=roles, context=CONTEXT) is None
    assert (
        workflow.refusal(change(status=S.ASSESSMENT), S.CAB, roles=roles, context=CONTEXT)
        == "Only the change manager can make this move."
    )


def test_submitting_needs_a_window_and_scope():
    assert "planned start" in workflow.refusal(
        change(planned_start=None), S.ASSESSMENT, roles={workflow.MANAGE}, context=CONTEXT
    )
    assert "affected service" in workflow.refusal(
        change(), S.ASSESSMENT, roles={workflow.MANAGE}, context={**CONTEXT, "has_scope": False}
    )


def test_sending_to_cab_needs_an_assessed_risk():
    subject = change(status=S.ASSESSMENT, risk_assessed_level="")
    assert "Assess the risk" in workflow.refusal(
        subject, S.CAB, roles={workflow.MANAGE}, context=CONTEXT
    )


# --- Each type sees only its own path ---

PATHS = {
    "standard": {
        S.DRAFT: [S.ASSESSMENT, S.SCHEDULED, S.CANCELLED],
        S.ASSESSMENT: [S.SCHEDULED, S.CANCELLED],
        S.CAB: [S.REJECTED, S.CANCELLED],
    },
    "normal": {
        S.DRAFT: [S.ASSESSMENT, S.CANCELLED],
        S.ASSESSMENT: [S.CAB, S.CANCELLED],
        S.CAB: [S.SCHEDULED, S.REJECTED, S.CANCELLED],
    },
    "emergency": {
        S.DRAFT: [S.ASSESSMENT, S.CAB, S.IMPLEMENTING, S.CANCELLED],
        S.ASSESSMENT: [S.CAB, S.IMPLEMENTING, S.CANCELLED],
        S.CAB: [S.SCHEDULED, S.IMPLEMENTING, S.REJECTED, S.CANCELLED],
    },
}


@pytest.mark.parametrize(
    ("change_type", "status", "offered"),
    [(t, status, moves) for t, by_status in PATHS.items() for status, moves in by_status.items()],
)
def test_a_change_is_offered_only_its_own_types_path(change_type, status, offered):
    subject = change(status=status, change_type=change_type)
    moves = workflow.allowed_transitions(subject, roles={workflow.MANAGE})
    assert [to for to, _ in moves] == offered


@pytest.mark.parametrize(
    ("status", "to_status", "message"),
    [
        (S.DRAFT, S.SCHEDULED, "Only a standard change"),
        (S.DRAFT, S.CAB, "Only an emergency change"),
        (S.DRAFT, S.IMPLEMENTING, "Only an emergency change"),
        (S.ASSESSMENT, S.SCHEDULED, "Only a standard change"),
        (S.ASSESSMENT, S.IMPLEMENTING, "Only an emergency change"),
    ],
)
def test_a_normal_change_cannot_take_another_types_path(status, to_status, message):
    subject = change(status=status, cab_decision="approved")
    refusal = workflow.refusal(subject, to_status, roles={workflow.MANAGE}, context=CONTEXT)
    assert message in refusal


# --- Quorum ---


@pytest.mark.parametrize(
    ("rule", "count", "approved", "rejected", "total", "outcome"),
    [
        ("all", None, 3, 0, 3, "approved"),
        ("all", None, 2, 0, 3, "pending"),
        ("all", None, 2, 1, 3, "rejected"),
        ("majority", None, 2, 0, 3, "approved"),
        ("majority", None, 1, 1, 3, "pending"),
        ("majority", None, 1, 2, 3, "rejected"),
        ("majority", None, 2, 0, 4, "pending"),
        ("majority", None, 3, 0, 4, "approved"),
        ("majority", None, 2, 2, 4, "rejected"),
        ("count", 2, 2, 3, 5, "approved"),
        ("count", 2, 1, 3, 5, "pending"),
        ("count", 2, 1, 4, 5, "rejected"),
        ("count", 5, 2, 0, 2, "approved"),  # N capped at the number of approvers
        ("count", 1, 1, 0, 1, "approved"),
        ("all", None, 0, 0, 0, "pending"),
    ],
)
def test_quorum_rules(rule, count, approved, rejected, total, outcome):
    assert (
        workflow.quorum_outcome(
            rule=rule, count=count, approved=approved, rejected=rejected, total=total
        )
        == outcome
    )
