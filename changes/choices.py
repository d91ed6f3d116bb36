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
