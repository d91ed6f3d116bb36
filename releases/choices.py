"""Choices of release management, with the badge colour each one shows as."""

from django.db import models


class ReleaseStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    BUILD = "build", "Build"
    TEST = "test", "Test"
    DEPLOY = "deploy", "Deploy"
    HYPERCARE = "hypercare", "Hypercare"
    CLOSED = "closed", "Closed"


class ReleaseType(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    EMERGENCY = "emergency", "Emergency"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


UPCOMING_STATUSES = (
    ReleaseStatus.PLANNING,
    ReleaseStatus.BUILD,
    ReleaseStatus.TEST,
    ReleaseStatus.DEPLOY,
    ReleaseStatus.HYPERCARE,
)
FINISHED_STEP_STATUSES = (StepStatus.DONE, StepStatus.SKIPPED)

STATUS_BADGE = {
    ReleaseStatus.PLANNING: "neutral",
    ReleaseStatus.BUILD: "info",
    ReleaseStatus.TEST: "info",
    ReleaseStatus.DEPLOY: "warning",
    ReleaseStatus.HYPERCARE: "warning",
    ReleaseStatus.CLOSED: "success",
}
STEP_BADGE = {
    StepStatus.PENDING: "neutral",
    StepStatus.IN_PROGRESS: "info",
    StepStatus.DONE: "success",
    StepStatus.FAILED: "danger",
    StepStatus.SKIPPED: "neutral",
}
