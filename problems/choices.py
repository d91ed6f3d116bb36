from django.db import models


class ProblemStatus(models.TextChoices):
    NEW = "new", "New"
    ASSESSED = "assessed", "Assessed"
    ROOT_CAUSE_KNOWN = "root_cause_known", "Root cause known"
    FIX_IN_PROGRESS = "fix_in_progress", "Fix in progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_PROBLEM_STATUSES = (
    ProblemStatus.NEW,
    ProblemStatus.ASSESSED,
    ProblemStatus.ROOT_CAUSE_KNOWN,
    ProblemStatus.FIX_IN_PROGRESS,
)

PROBLEM_STATUS_BADGE = {
    ProblemStatus.NEW: "info",
    ProblemStatus.ASSESSED: "secondary",
    ProblemStatus.ROOT_CAUSE_KNOWN: "warning",
    ProblemStatus.FIX_IN_PROGRESS: "warning",
    ProblemStatus.RESOLVED: "success",
    ProblemStatus.CLOSED: "secondary",
}


class RcaMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "5 whys"
    FISHBONE = "fishbone", "Fishbone (Ishikawa)"
    TIMELINE = "timeline", "Timeline analysis"
    OTHER = "other", "Other"


class CandidateGrouping(models.TextChoices):
    SERVICE = "service", "Same service"
    CI = "ci", "Same configuration item"
    CATEGORY = "category", "Same category"


class CandidateStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"
