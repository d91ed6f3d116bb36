import itertools
from types import SimpleNamespace

import pytest

from tickets import workflow
from tickets.choices import ApprovalState, TicketKind, TicketStatus

S = TicketStatus
ALLOWED = {
    (S.NEW, S.IN_PROGRESS),
    (S.NEW, S.ON_HOLD),
    (S.NEW, S.RESOLVED),
    (S.NEW, S.CANCELLED),
    (S.IN_PROGRESS, S.ON_HOLD),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.ON_HOLD, S.IN_PROGRESS),
    (S.ON_HOLD, S.RESOLVED),
    (S.ON_HOLD, S.CANCELLED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
}
FULL_FIELDS = {
    "on_hold_reason": "awaiting_vendor",
    "resolution_code": "solved",
    "resolution_notes": "Fixed",
    "reason": "Because",
}


def ticket(status, kind=TicketKind.INCIDENT, approval=ApprovalState.NOT_REQUIRED):
    return SimpleNamespace(status=status, kind=kind, approval_state=approval)


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(S.values, S.values)))
def test_every_pair_is_allowed_or_refused_as_the_table_says(from_status, to_status):
    refusal = workflow.refusal(ticket(from_status), to_status, is_staff=True, fields=FULL_FIELDS)
    if (from_status, to_status) in ALLOWED:
        assert refusal is None
    else:
        assert refusal
        assert "cannot go from" in refusal or "already" in refusal


@pytest.mark.parametrize(
    ("to_status", "fields", "message"),
    [
        (S.RESOLVED, {}, "Please give a resolution code and resolution notes."),
        (S.RESOLVED, {"resolution_code": "solved"}, "Please give resolution notes."),
        (S.ON_HOLD, {}, "Please give an on-hold reason."),
        (S.CANCELLED, {}, "Please give a reason."),
    ],
)
def test_required_fields_are_named_in_plain_words(to_status, fields, message):
    assert (
        workflow.refusal(ticket(S.IN_PROGRESS), to_status, is_staff=True, fields=fields) == message
    )


def test_requesters_may_only_cancel_reopen_or_accept_the_solution():
    assert workflow.refusal(ticket(S.NEW), S.CANCELLED, is_staff=False, fields=FULL_FIELDS) is None
    assert workflow.refusal(ticket(S.RESOLVED), S.IN_PROGRESS, is_staff=False, fields={}) is None
    assert workflow.refusal(ticket(S.RESOLVED), S.CLOSED, is_staff=False, fields={}) is None
    assert (
        workflow.refusal(ticket(S.IN_PROGRESS), S.RESOLVED, is_staff=False, fields=FULL_FIELDS)
        == "Only the service desk can make this change."
    )


def test_unapproved_requests_cannot_be_worked():
    pending = ticket(S.NEW, TicketKind.REQUEST, ApprovalState.PENDING)
    assert "approved" in workflow.refusal(pending, S.IN_PROGRESS, is_staff=True, fields={})


def test_requests_with_open_tasks_cannot_resolve():
    message = workflow.refusal(
        ticket(S.IN_PROGRESS),
        S.RESOLVED,
        is_staff=True,
        fields={**FULL_FIELDS, "open_task_count": 2},
    )
    assert "fulfilment tasks" in message


def test_allowed_transitions_lists_the_buttons():
    moves = {to for to, _ in workflow.allowed_transitions(ticket(S.RESOLVED), is_staff=False)}
    assert moves == {S.IN_PROGRESS, S.CLOSED}
