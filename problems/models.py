from django.conf import settings
from django.db import models

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from problems.choices import ProblemStatus


class Problem(NumberedModel, TimeStampedModel, VersionedModel):
    """The unknown cause of one or more incidents, investigated until it is understood and fixed."""

    NUMBER_PREFIX = "PRB"
    NUMBER_SEQUENCE = "problems_problem_number_seq"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.NEW
    )
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
