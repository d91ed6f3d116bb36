"""The change risk questionnaire and its scoring: pure, no ORM.

Five questions (DESIGN §4, ITIL change risk): impact on services, likelihood of failure,
backout difficulty, the criticality of the most critical affected service, and how many
changes on the same CIs failed recently — plus, from the CMDB, the number of services that
depend on the CIs the change touches (DEPENDENT_SERVICE_POINTS). Each answer scores points;
the sum gives the level, and two answers force "high" on their own (a backout that is
impossible, or a likely outage
of a critical service). Every answer that adds points is listed as a reason.
"""

from dataclasses import dataclass

from changes.choices import RiskLevel

IMPACT = {"none": 0, "minor": 1, "degraded": 2, "outage": 3}
LIKELIHOOD = {"low": 0, "medium": 1, "high": 2}
BACKOUT = {"easy": 0, "moderate": 1, "hard": 2, "impossible": 3}
CRITICALITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}

# The answers as (value, label) choices, for forms and the API schema.
IMPACT_CHOICES = [(key, key.capitalize()) for key in IMPACT]

QUESTIONS = {
    "impact": ("Impact on services while the change runs", IMPACT),
    "likelihood": ("Likelihood of failure", LIKELIHOOD),
    "backout": ("Backout difficulty", BACKOUT),
    "criticality": ("Criticality of the affected services", CRITICALITY),
}
# (at least this many dependent services, points): one service is the change's own business.
DEPENDENT_SERVICE_POINTS = ((10, 3), (5, 2), (2, 1))
HIGH_FROM = 8
MEDIUM_FROM = 4


@dataclass(frozen=True)
class RiskAssessment:
    level: str
    score: int
    reasons: tuple[str, ...]


def assess_risk(answers: dict) -> RiskAssessment:
    """Score the questionnaire. `answers`: impact, likelihood, backout, criticality (words from
    the tables above), `failed_changes` (failures on the same CIs in the last 90 days) and
    `dependent_services` (services an outage of the change's CIs reaches).

    Raises ValueError for an unknown answer, so a bad form never scores silently as low.
    """
    score = 0
    reasons: list[str] = []
    for key, (label, table) in QUESTIONS.items():
        answer = answers.get(key)
        if answer not in table:
            raise ValueError(f"{label}: choose one of {', '.join(table)}.")
        if points := table[answer]:
            score += points
            reasons.append(f"{label}: {answer} (+{points})")
    failed = int(answers.get("failed_changes") or 0)
    if failed < 0:
        raise ValueError("The number of failed changes cannot be negative.")
    if failed:
        points = min(failed, 3)
        score += points
        reasons.append(f"{failed} failed change(s) on these CIs in 90 days (+{points})")

    dependent = int(answers.get("dependent_services") or 0)
    if dependent < 0:
        raise ValueError("The number of dependent services cannot be negative.")
    for at_least, points in DEPENDENT_SERVICE_POINTS:
        if dependent >= at_least:
            score += points
            reasons.append(
                f"{dependent} services depend on the CIs this change touches (+{points})"
            )
            break

    if answers["backout"] == "impossible":
        reasons.append("No way back: a change that cannot be backed out is high risk.")
        level = RiskLevel.HIGH
    elif answers["impact"] == "outage" and answers["criticality"] == "critical":
        reasons.append("An outage of a critical service is high risk.")
        level = RiskLevel.HIGH
    elif score >= HIGH_FROM:
        level = RiskLevel.HIGH
    elif score >= MEDIUM_FROM:
        level = RiskLevel.MEDIUM
    else:
        level = RiskLevel.LOW
    if not reasons:
        reasons.append("Every answer is the lowest-risk one.")
    return RiskAssessment(level=str(level), score=score, reasons=tuple(reasons))
