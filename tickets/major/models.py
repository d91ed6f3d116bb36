"""Major incidents: an incident whose impact needs a manager, a cadence of updates and a review.

A major incident is not a new ticket: it wraps the incident it was declared from (one to one),
and requesters who are "affected too" become child incidents of that ticket. The tickets app
never points at problems; a review that opens a problem is linked from the problems side
(`problems.Problem.source_major_incident`).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from itsm.cmdb.choices import Criticality


class MajorIncidentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"


class MajorIncidentRuleKind(models.TextChoices):
    P1_ON_CRITICAL_SERVICE = "p1_critical_service", "P1 on a critical service"
    INCIDENT_BURST = "incident_burst", "N incidents on one service within M minutes"


class MajorIncident(models.Model):
    """A declared major incident (ITIL): its manager runs it, its communications owner keeps
    stakeholders informed every `cadence_minutes`. `last_update_at` is the clock the cadence
    reminder counts from (declaration, then every posted update)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="major_incident"
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField()
    reason = models.TextField()
    public_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="What requesters read on the portal banner and in their updates; prefilled "
        "from the incident's short description, which stays internal.",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_major_incidents"
    )
    communications_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=MajorIncidentStatus.choices, default=MajorIncidentStatus.ACTIVE
    )
    cadence_minutes = models.PositiveIntegerField(default=30)
    last_update_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    # --- The manager's instructions to the service desk (shown on affected tickets) ---
    caller_script = models.TextField(
        "what to tell callers",
        blank=True,
        help_text="What agents say to a caller who is affected (internal to the desk).",
    )
    public_wording = models.TextField(
        blank=True, help_text="The wording agents may use in public replies to requesters."
    )
    next_update_due_at = models.DateTimeField(
        "next update due",
        null=True,
        blank=True,
        help_text="When the manager promises the next update (empty: the cadence decides).",
    )
    # Not a field: whether the portal banner offers "I'm affected too", set by major_banner_list.
    can_join: bool

    class Meta:
        ordering = ["-declared_at"]
        indexes = [
            # The reminder sweep and the portal banner read only active ones.
            models.Index(
                fields=["last_update_at"],
                name="major_active_last_update",
                condition=Q(status="active"),
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cadence_minutes__gte=1), name="major_cadence_pos")
        ]

    def __str__(self) -> str:
        return f"Major incident {self.ticket.number}" if self.ticket_id else "Major incident"

    def get_absolute_url(self) -> str:
        return reverse("major:desk-major-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == MajorIncidentStatus.ACTIVE

    @property
    def next_update_at(self) -> "datetime":
        """When the next update is due: the manager's promise, else one cadence after the last."""
        return self.next_update_due_at or self.last_update_at + timedelta(
            minutes=self.cadence_minutes
        )


class MajorIncidentUpdate(models.Model):
    """A status update. Public ones go to subscribers and requesters and show on the portal
    banner; internal ones stay in the desk."""

    major = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["major", "is_public", "-created_at"])]

    def __str__(self) -> str:
        return f"{'Public' if self.is_public else 'Internal'} update on {self.major_id}"


class MajorIncidentReview(models.Model):
    """The post-incident review, written after resolution: what happened when, why, and
    what will be done. A problem it opens points back here from the problems app."""

    major = models.OneToOneField(MajorIncident, on_delete=models.CASCADE, related_name="review")
    timeline = models.TextField()
    root_cause = models.TextField(blank=True)
    actions = models.TextField(blank=True, help_text="Follow-up actions, one per line.")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Review of {self.major_id}"


class ReminderFired(models.Model):
    """One cadence reminder sent for one missed interval; the unique key makes the beat job
    fire each missed cadence exactly once however often (or concurrently) it runs."""

    major = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="reminders")
    cadence_index = models.PositiveIntegerField(
        help_text="How many cadences after the last update this reminder is for (1 = first)."
    )
    last_update_at = models.DateTimeField(help_text="The update the interval was counted from.")
    fired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["major", "last_update_at", "cadence_index"],
                name="reminder_once_per_cadence",
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.cadence_index} for {self.major_id}"


class MajorIncidentRule(models.Model):
    """A rule under which the system proposes declaring a major incident (never declares it):
    a P1 on a service of at least `min_criticality`, or `threshold_count` open incidents on
    one service within `window_minutes`."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=MajorIncidentRuleKind.choices)
    min_criticality = models.CharField(
        max_length=20, choices=Criticality.choices, default=Criticality.CRITICAL
    )
    threshold_count = models.PositiveIntegerField(default=5)
    window_minutes = models.PositiveIntegerField(default=30)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
