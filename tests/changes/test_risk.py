import pytest

from changes.risk import assess_risk

BASE = {"impact": "none", "likelihood": "low", "backout": "easy", "criticality": "low"}


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({}, "low"),
        ({"impact": "minor", "criticality": "medium"}, "low"),
        ({"impact": "degraded", "likelihood": "medium", "backout": "moderate"}, "medium"),
        (
            {"impact": "outage", "likelihood": "high", "backout": "hard", "criticality": "high"},
            "high",
        ),
        ({"backout": "impossible"}, "high"),
        ({"impact": "outage", "criticality": "critical"}, "high"),
        ({"impact": "degraded", "failed_changes": 2}, "medium"),
        ({"impact": "minor", "failed_changes": 9}, "medium"),
    ],
)
def test_questionnaire_scores_into_levels(answers, level):
    assert assess_risk({**BASE, **answers}).level == level


def test_every_contributing_answer_is_a_reason():
    result = assess_risk({**BASE, "impact": "degraded", "failed_changes": 1})
    assert result.score == 3
    assert any("Impact on services" in r for r in result.reasons)
    assert any("failed change" in r for r in result.reasons)


def test_lowest_answers_say_so():
    assert assess_risk(BASE).reasons == ("Every answer is the lowest-risk one.",)


@pytest.mark.parametrize("bad", [{"impact": "huge"}, {"likelihood": None}, {"failed_changes": -1}])
def test_unknown_answers_are_refused_not_scored_low(bad):
    with pytest.raises(ValueError):
        assess_risk({**BASE, **bad})
