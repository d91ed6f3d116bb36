"""The problem life cycle table, every (from, to) pair."""

from types import SimpleNamespace

import pytest

from problems import workflow
from problems.choices import ProblemStatus as S

ALLOWED = {
    (S.NEW, S.ASSESSED),
    (S.NEW, S.CLOSED),
    (S.ASSESSED, S.ROOT_CAUSE_KNOWN),
    (S.ASSESSED, S.CLOSED),
    (S.ROOT_CAUSE_KNOWN, S.FIX_IN_PROGRESS),
    (S.ROOT_CAUSE_KNOWN, S.RESOLVED),
    (S.FIX_IN_PROGRESS, S.RESOLVED),
    (S.FIX_IN_PROGRESS, S.ROOT_CAUSE_KNOWN),
    (S.RESOLVED, S.FIX_IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
}
ALL_FIELDS = {"reason": "r", "resolution_notes": "n", "root_cause": "disk full"}


def _problem(status, **kw):
    return SimpleNamespace(status=status, root_cause="", description="d", **kw)


@pytest.mark.parametrize("from_status", S.values)
@pytest.mark.parametrize("to_status", S.values)
def test_every_pair_is_allowed_or_refused_as_the_table_says(from_status, to_status):
    refusal = workflow.refusal(_problem(from_status), to_status, fields=ALL_FIELDS)
    if (from_status, to_status) in ALLOWED:
        assert refusal is None
    else:
        assert refusal is not None


def test_root_cause_known_requires_a_root_cause():
    problem = _problem(S.ASSESSED)
    assert workflow.refusal(problem, S.ROOT_CAUSE_KNOWN, fields={}) == (
        "Record the root cause before marking it known."
    )
    problem.root_cause = "Expired certificate"
    assert workflow.refusal(problem, S.ROOT_CAUSE_KNOWN, fields={}) is None


def test_resolving_requires_resolution_notes_and_closing_early_a_reason():
    assert (
        workflow.refusal(
            _problem(
                S.FIX_IN_PROGRESS,
            ),
            S.RESOLVED,
            fields={"root_cause": "x"},
        )
        == "Please give resolution notes."
    )
    assert workflow.refusal(_problem(S.NEW), S.CLOSED, fields={}) == "Please give a reason."


def test_assessing_needs_a_description_or_a_linked_incident():
    problem = _problem(S.NEW)
    problem.description = ""
    assert "link at least one incident" in workflow.refusal(problem, S.ASSESSED, fields={})
    assert workflow.refusal(problem, S.ASSESSED, fields={"incident_count": 2}) is None


def test_allowed_transitions_lists_the_buttons_of_a_status():
    moves = [to for to, _ in workflow.allowed_transitions(_problem(S.RESOLVED))]
    assert moves == [S.FIX_IN_PROGRESS, S.CLOSED]
