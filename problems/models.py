"""Problems (the unknown cause behind incidents), known errors and trend-detection candidates.

Links between processes live in the later app (DESIGN §3): a problem points at the incidents
it explains and at the major incident whose review opened it; tickets never point here.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from problems.choices import CandidateGrouping, CandidateStatus, ProblemStatus, RcaMethod
from tickets.choices import Priority

if TYPE_CHECKING:
    from tickets.models import Ticket


class ProblemQuerySet(models.QuerySet["Problem"]):
    def visible_to(self, user: Any) -> "ProblemQuerySet":
        """Problems are desk records: desk staff see every one, requesters none (DESIGN §5;
        what reaches requesters is the knowledge article of a published known error)."""
        from itsm.accounts.roles import user_is_staff_member

        if not user.is_authenticated or not user_is_staff_member(user):
            return self.none()
        return self


class Problem(NumberedModel, TimeStampedModel, VersionedModel):
    """The cause of one or more incidents, investigated until it is understood and fixed (ITIL).

    Status only changes through `problems.services.problem_transition` (table in
    `problems.workflow`). A problem with a published workaround is a known error
    (`is_known_error`): agents see the workaround on incidents with the same service, CI or
    category. `rca_analysis` holds the structured method (5 whys as a list of answers, or
    fishbone causes by category) so it can be rendered and exported, not just free text.
    """

    NUMBER_PREFIX = "PRB"
    NUMBER_SEQUENCE = "problems_problem_number_seq"

    objects = ProblemQuerySet.as_manager()

    statement = models.CharField(max_length=200, help_text="The problem in one sentence.")
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.NEW
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P3)
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name="configuration item",
    )
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_problems",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # --- Root-cause analysis ---
    symptoms = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    rca_method = models.CharField(max_length=20, choices=RcaMethod.choices, blank=True)
    rca_analysis = models.JSONField(default=dict, blank=True)
    # --- Known error ---
    workaround = models.TextField(blank=True)
    is_known_error = models.BooleanField(default=False)
    known_error_published_at = models.DateTimeField(null=True, blank=True)
    knowledge_article = models.ForeignKey(
        "knowledge.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # --- Resolution ---
    resolution_notes = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    source_major_incident = models.ForeignKey(
        "tickets.MajorIncident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    incidents = models.ManyToManyField(
        "tickets.Ticket",
        through="ProblemIncidentLink",
        related_name="problems",
        blank=True,
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="problem_status_created"),
            # Known errors shown on the ticket page: few rows, looked up by service/CI/category.
            models.Index(
                fields=["service", "ci", "category"],
                name="problem_known_error_match",
                condition=Q(is_known_error=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_known_error=False) | ~Q(workaround=""),
                name="problem_known_error_has_workaround",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.statement}"

    def get_absolute_url(self) -> str:
        return reverse("problems:desk-problem-detail", args=[self.number])

    @property
    def title(self) -> str:
        return self.statement


class ProblemIncidentLink(models.Model):
    """An incident explained by a problem: who linked it and when."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="incident_links")
    incident = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "incident"], name="problem_incident_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.problem_id}"


class ProblemDetectionRule(models.Model):
    """Trend detection, configured by data: `min_incidents` incidents sharing the same
    service, CI or category within `window_days` are proposed as a problem candidate."""

    name = models.CharField(max_length=120)
    group_by = models.CharField(max_length=20, choices=CandidateGrouping.choices)
    min_incidents = models.PositiveIntegerField(default=3)
    window_days = models.PositiveIntegerField(default=7)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_incidents__gte=2), name="rule_min_two"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="rule_window_pos"),
        ]

    def __str__(self) -> str:
        return self.name


class ProblemCandidate(models.Model):
    """A proposed problem from repeated incidents, waiting on the problem manager.

    `group_key` names the group ("service:12", "ci:7", "category:3"). A dismissed group is
    never proposed again; while a candidate is open the group is not proposed twice (partial
    unique constraint). `incident_ids` are the incidents behind the proposal at detection time.
    """

    rule = models.ForeignKey(
        ProblemDetectionRule, null=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    group_key = models.CharField(max_length=60)
    group_label = models.CharField(max_length=200)
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    incident_ids = ArrayField(models.BigIntegerField(), default=list)
    # Not a field: the tickets behind `incident_ids`, loaded by problem_candidates_open().
    incidents: "list[Ticket]"
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    detected_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_key"],
                condition=Q(status__in=["open", "dismissed"]),
                name="candidate_one_open_or_dismissed_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"Candidate {self.group_label} ({len(self.incident_ids)} incidents)"
