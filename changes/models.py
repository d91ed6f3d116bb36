"""Requests for change, their CAB approvals, templates, blackout windows and caused incidents.

Links between processes live in the later app (DESIGN §3): a change points at the problem it
fixes and at the incidents it caused; neither tickets nor problems point here.
"""

import hashlib

from django.conf import settings
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.urls import reverse

from changes.choices import (
    CabDecision,
    ChangeRequestStatus,
    ChangeType,
    NoticeKind,
    QuorumRule,
    ReviewOutcome,
    RiskLevel,
)
from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel


def window_range(start_field: str, end_field: str) -> Func:
    """`tstzrange(start, end, '[)')`: half-open, so [a,b) and [b,c) touch without overlapping.

    The same expression is indexed (GiST) and queried with `&&`, so the planner uses the index.
    """
    return Func(F(start_field), F(end_field), Value("[)"), function="tstzrange")


# --- Reference data (admin-configured) ---


class ChangePolicy(models.Model):
    """Run-time knobs of change management (a single row, edited in the admin)."""

    notice_lead_minutes = models.PositiveIntegerField(
        default=60,
        help_text="The service desk is told this many minutes before a scheduled change starts.",
    )
    service_desk_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who hears about changes starting and completing. Blank: the support teams "
        "of the affected services.",
    )
    quorum_rule = models.CharField(
        max_length=10, choices=QuorumRule.choices, default=QuorumRule.MAJORITY
    )
    quorum_count = models.PositiveSmallIntegerField(
        default=2, help_text="Approvals needed when the rule is “a number of approvers”."
    )
    emergency_quorum_count = models.PositiveSmallIntegerField(
        default=1, help_text="Approvals the emergency CAB needs (fewer approvers, faster)."
    )

    class Meta:
        verbose_name_plural = "change policy"

    def __str__(self) -> str:
        return "Change policy"


class CabMember(models.Model):
    """A person on the change advisory board, for some services (none: all services).

    `is_emergency` puts them on the emergency CAB too, which decides emergency changes.
    Without any CabMember rows every user with the CAB member role approves every change.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cab_membership"
    )
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="cab_members")
    is_emergency = models.BooleanField("on the emergency CAB", default=False)

    class Meta:
        ordering = ["user__display_name"]
        verbose_name = "CAB member"

    def __str__(self) -> str:
        return str(self.user)


class ChangeTemplate(TimeStampedModel):
    """A pre-approved standard change: repeatable, low risk, done the same way every time.

    Changes raised from an active template are standard changes and skip the CAB (ITIL).
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    implementation_plan = models.TextField(blank=True)
    backout_plan = models.TextField(blank=True)
    test_plan = models.TextField(blank=True)
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="+")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BlackoutWindow(TimeStampedModel):
    """A period in which changes should not run (month-end freeze, peak sales, audits).

    Applies to `services`, or to every service when none are chosen. Scheduling a change into
    a blackout needs an override reason.
    """

    name = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="blackouts")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="blackout_ends_after_start"
            )
        ]
        indexes = [GistIndex(window_range("starts_at", "ends_at"), name="blackout_window_gist")]

    def __str__(self) -> str:
        return self.name


# --- Changes ---


class ChangeRequest(NumberedModel, TimeStampedModel, VersionedModel):
    """A request for change (RFC): a planned modification to services or configuration items.

    Status only changes through `changes.services.change_transition` (table in
    `changes.workflow`). The risk level is the questionnaire's (`risk_assessed_level`, with its
    reasons) unless the change manager overrode it with a reason (`risk_override_level`).
    The CAB outcome (`cab_decision`) is derived from the CabApproval rows by the quorum rule
    copied onto the change when it went to the CAB. Planned windows are half-open [start, end).
    """

    NUMBER_PREFIX = "CHG"
    NUMBER_SEQUENCE = "changes_changerequest_number_seq"

    change_type = models.CharField(
        "type", max_length=10, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    template = models.ForeignKey(
        ChangeTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    title = models.CharField(max_length=200)
    public_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="What requesters read on the portal's planned-maintenance banner; prefilled "
        "from the title, which stays internal.",
    )
    description = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.DRAFT
    )
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="changes")
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        blank=True,
        related_name="changes",
        verbose_name="configuration items",
    )
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    implementation_plan = models.TextField(blank=True)
    backout_plan = models.TextField(blank=True)
    test_plan = models.TextField(blank=True)
    assignment_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    implementer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="implemented_changes",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    problem = models.ForeignKey(
        "problems.Problem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fixing_changes",
        help_text="The problem this change fixes.",
    )
    # --- Risk ---
    risk_answers = models.JSONField(default=dict, blank=True)
    risk_assessed_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_reasons = models.JSONField(default=list, blank=True)
    risk_override_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_override_reason = models.CharField(max_length=300, blank=True)
    # --- CAB ---
    quorum_rule = models.CharField(max_length=10, choices=QuorumRule.choices, blank=True)
    quorum_count = models.PositiveSmallIntegerField(null=True, blank=True)
    cab_decision = models.CharField(max_length=10, choices=CabDecision.choices, blank=True)
    cab_decided_at = models.DateTimeField(null=True, blank=True)
    # --- Overrides (kept for the record; the audit event says who gave them) ---
    blackout_override_reason = models.CharField(max_length=300, blank=True)
    window_override_reason = models.CharField(max_length=300, blank=True)
    # --- Implementation and review ---
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=30, choices=ReviewOutcome.choices, blank=True)
    review_notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    caused_incidents = models.ManyToManyField(
        "tickets.Ticket", through="ChangeIncidentLink", related_name="caused_by_changes"
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_changerequest", "Can approve or reject changes as a CAB member")]
        indexes = [
            models.Index(fields=["status", "planned_start"], name="change_status_start"),
            # The calendar and conflict detection ask "which windows overlap [a, b)?".
            GistIndex(
                window_range("planned_start", "planned_end"),
                name="change_window_gist",
                condition=Q(planned_start__isnull=False, planned_end__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gt=F("planned_start")),
                name="change_window_ends_after_start",
                violation_error_message="The planned end must be after the planned start.",
            ),
            models.CheckConstraint(
                condition=Q(risk_override_level="") | ~Q(risk_override_reason=""),
                name="change_risk_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("changes:desk-change-detail", args=[self.number])

    def clean(self) -> None:
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            raise ValidationError({"planned_end": "The planned end must be after the start."})

    @property
    def risk_level(self) -> str:
        return self.risk_override_level or self.risk_assessed_level

    @property
    def is_emergency(self) -> bool:
        return self.change_type == ChangeType.EMERGENCY

    @property
    def has_window(self) -> bool:
        return self.planned_start is not None and self.planned_end is not None


class CabApproval(models.Model):
    """One approver's vote on one change. Rows are created (pending) when the change goes to
    the CAB; the approver decides once, with a comment."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cab_approvals"
    )
    decision = models.CharField(
        max_length=10, choices=CabDecision.choices, default=CabDecision.PENDING
    )
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "approver"], name="cab_approval_once")
        ]
        indexes = [models.Index(fields=["approver", "decision"], name="cab_approval_pending")]

    def __str__(self) -> str:
        return f"{self.approver} on {self.change_id}: {self.decision}"


class ChangeIncidentLink(models.Model):
    """An incident an agent found was caused by a change."""

    change = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="incident_links"
    )
    incident = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="change_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "incident"], name="change_incident_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} caused by {self.change_id}"


class ChangeNotice(models.Model):
    """Marks that the service desk was told about a change event; the unique constraint is
    what makes "notify before start" fire exactly once however often the beat job runs."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "kind"], name="change_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.kind}"


# --- Calendar feed ---


class CalendarFeedToken(TimeStampedModel):
    """A desk user's read-only key to the change calendar feed (`calendar.ics?token=…`).

    Calendar apps cannot sign in, so a subscription URL has to carry a secret; this one opens
    the feed and nothing else (never the API, unlike an API token). Only the SHA-256 of the
    secret is stored, so it is shown once when made; a lost one is replaced, not recovered.
    One per user: making a new one revokes the old.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    key_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"calendar feed token of {self.user_id}"

    @staticmethod
    def hash_key(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
