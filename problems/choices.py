from django.db import models


class ProblemStatus(models.TextChoices):
    NEW = "new", "New"
    ASSESSED = "assessed", "Assessed"
    ROOT_CAUSE_KNOWN = "root_cause_known", "Root cause known"
    FIX_IN_PROGRESS = "fix_in_progress", "Fix in progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
