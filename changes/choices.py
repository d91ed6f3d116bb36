"""Choices of change management, with the badge colour each one shows as."""

from django.db import models


class ChangeRequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ASSESSMENT = "assessment", "Assessment"
    CAB = "cab", "Awaiting CAB"
    SCHEDULED = "scheduled", "Scheduled"
    IMPLEMENTING = "implementing", "Implementing"
    REVIEW = "review", "Review"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class ChangeType(models.TextChoices):
    STANDARD = "standard", "Standard (pre-approved)"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class QuorumRule(models.TextChoices):
    ALL = "all", "All approvers"
    MAJORITY = "majority", "Majority of approvers"
    COUNT = "count", "A number of approvers"


class CabDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ReviewOutcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    SUCCESSFUL_WITH_ISSUES = "successful_with_issues", "Successful with issues"
    FAILED = "failed", "Failed"
    BACKED_OUT = "backed_out", "Backed out"


class NoticeKind(models.TextChoices):
    STARTING = "starting", "Change starting soon"
    COMPLETED = "completed", "Change completed"
    BACKED_OUT = "backed_out", "Change backed out"


# Statuses a change holds its planned window in (what the calendar and conflicts consider).
ACTIVE_STATUSES = (
    ChangeRequestStatus.ASSESSMENT,
    ChangeRequestStatus.CAB,
    ChangeRequestStatus.SCHEDULED,
    ChangeRequestStatus.IMPLEMENTING,
    ChangeRequestStatus.REVIEW,
)
CALENDAR_STATUSES = (*ACTIVE_STATUSES, ChangeRequestStatus.CLOSED)
SUCCESS_OUTCOMES = (ReviewOutcome.SUCCESSFUL, ReviewOutcome.SUCCESSFUL_WITH_ISSUES)

STATUS_BADGE = {
    ChangeRequestStatus.DRAFT: "neutral",
    ChangeRequestStatus.ASSESSMENT: "info",
    ChangeRequestStatus.CAB: "warning",
    ChangeRequestStatus.SCHEDULED: "info",
    ChangeRequestStatus.IMPLEMENTING: "warning",
    ChangeRequestStatus.REVIEW: "info",
    ChangeRequestStatus.CLOSED: "success",
    ChangeRequestStatus.REJECTED: "danger",
    ChangeRequestStatus.CANCELLED: "neutral",
}
RISK_BADGE = {
    RiskLevel.LOW: "success",
    RiskLevel.MEDIUM: "warning",
    RiskLevel.HIGH: "danger",
}
TYPE_BADGE = {
    ChangeType.STANDARD: "neutral",
    ChangeType.NORMAL: "info",
    ChangeType.EMERGENCY: "danger",
}
