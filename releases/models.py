"""Releases: bundles of changes, their deployment plan, service-desk support plan and the
incidents tagged during hypercare. Releases point at changes, never the other way round."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from releases.choices import ReleaseStatus, ReleaseType, StepStatus


class Release(NumberedModel, TimeStampedModel, VersionedModel):
    """A bundle of changes built, tested and deployed together, with a service-desk support
    plan (staffing, known issues, agent articles, communication to users).

    Status only changes through `releases.services.release_transition` (table in
    `releases.workflow`). Entering hypercare stamps `deployed_at` and `hypercare_ends_at`
    (`hypercare_days` later); incidents on the release's services raised in between are
    tagged with the release (ReleaseIncidentTag).
    """

    NUMBER_PREFIX = "RLS"
    NUMBER_SEQUENCE = "releases_release_number_seq"

    name = models.CharField(max_length=200)
    version_label = models.CharField("version", max_length=50, blank=True)
    release_type = models.CharField(
        "type", max_length=10, choices=ReleaseType.choices, default=ReleaseType.MINOR
    )
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.PLANNING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_releases",
    )
    changes = models.ManyToManyField("changes.ChangeRequest", blank=True, related_name="releases")
    planned_build_at = models.DateTimeField(null=True, blank=True)
    planned_test_at = models.DateTimeField(null=True, blank=True)
    planned_deploy_at = models.DateTimeField(null=True, blank=True)
    hypercare_days = models.PositiveSmallIntegerField(
        default=7, help_text="How long after deployment incidents are tagged with the release."
    )
    deployed_at = models.DateTimeField(null=True, blank=True)
    hypercare_ends_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # --- Service-desk support plan ---
    known_issues = models.TextField(blank=True)
    communication = models.TextField(
        blank=True, help_text="What users are told about the release, and when."
    )
    articles = models.ManyToManyField("knowledge.Article", blank=True, related_name="releases")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "planned_deploy_at"], name="release_status_deploy")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("releases:desk-release-detail", args=[self.number])


class DeploymentStep(models.Model):
    """One ordered step of a release's deployment plan, with its owner and status."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["release", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "order"], name="release_step_order_once")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class SupportStaffing(models.Model):
    """Who staffs the service desk for a release, and when (a team, an agent, or both)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="staffing")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(agent__isnull=False),
                name="staffing_team_or_agent",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="staffing_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent or self.team} {self.starts_at:%Y-%m-%d %H:%M}"


class ReleaseIncidentTag(models.Model):
    """An incident raised on one of the release's services during its hypercare window."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="incident_tags")
    incident = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="release_tags"
    )
    tagged_at = models.DateTimeField(auto_now_add=True)
    known_issue = models.CharField(
        max_length=300,
        blank=True,
        help_text="Which of the release's known issues the desk said this incident is.",
    )

    class Meta:
        ordering = ["-tagged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "incident"], name="release_incident_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} in hypercare of {self.release_id}"
