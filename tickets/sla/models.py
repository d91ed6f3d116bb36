"""SLA policies, the clocks they start on tickets, and the thresholds each clock has fired.

Imported at the end of `tickets.models` so the models belong to the tickets app; they refer
to tickets' own models by name to keep the import one-way.
"""

from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tickets.choices import OnHoldReason, Priority, TicketKind
from tickets.sla.rules import BREACH, SlaMetric, SlaState


def default_pause_reasons() -> list[str]:
    return [OnHoldReason.AWAITING_REQUESTER.value]


def default_warning_thresholds() -> list[int]:
    return [75, 90]


class SlaPolicy(models.Model):
    """The service level a ticket is promised: targets per metric, in a calendar's business time.

    Matching (DESIGN §4): the active policies are tried in `order`; the first whose set match
    fields (kind, priority, service, category — blank means any) all equal the ticket's wins.
    Escalation: at each warning threshold and at the breach, notify the assignee, the team
    lead and/or the service desk managers; at the breach optionally raise the priority one
    step. Clocks pause while the ticket is on hold for one of `pause_on_hold_reasons`.
    """

    name = models.CharField(max_length=120, unique=True)
    order = models.PositiveIntegerField(default=100, help_text="Lower is tried first.")
    is_active = models.BooleanField(default=True)
    kind = models.CharField(
        max_length=10, choices=TicketKind.choices, blank=True, help_text="Blank: any kind."
    )
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="Empty: any priority."
    )
    service = models.ForeignKey(
        "cmdb.Service",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text="Empty: any service.",
    )
    category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text="Empty: any category.",
    )
    first_response_minutes = models.PositiveIntegerField(
        help_text="Business minutes until the first public reply from the desk."
    )
    resolution_minutes = models.PositiveIntegerField(
        help_text="Business minutes until the ticket is resolved."
    )
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar", on_delete=models.PROTECT, related_name="sla_policies"
    )
    pause_on_hold_reasons = ArrayField(
        models.CharField(max_length=30, choices=OnHoldReason.choices),
        default=default_pause_reasons,
        blank=True,
        help_text="On-hold reasons that stop the clocks until work resumes.",
    )
    warning_thresholds = ArrayField(
        models.PositiveSmallIntegerField(),
        default=default_warning_thresholds,
        blank=True,
        help_text="Percentages of the target at which to warn, e.g. 75, 90.",
    )
    notify_assignee = models.BooleanField(default=True)
    notify_team_lead = models.BooleanField(default=True)
    notify_desk_manager = models.BooleanField(
        default=False, help_text="Service desk managers hear about breaches only."
    )
    raise_priority_at_breach = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_policy_targets_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        bad = [pct for pct in self.warning_thresholds or () if not 0 < pct < BREACH]
        if bad:
            raise ValidationError(
                {"warning_thresholds": "Warning thresholds are percentages between 1 and 99."}
            )

    def target_for(self, metric: str) -> timedelta:
        minutes = (
            self.first_response_minutes
            if metric == SlaMetric.FIRST_RESPONSE
            else self.resolution_minutes
        )
        return timedelta(minutes=minutes)


class SlaClock(models.Model):
    """One metric's clock on one ticket (first response or resolution).

    History is kept as `elapsed` (business time of the running segments that ended) plus
    `running_since` (start of the segment in progress; None when paused or stopped). Due
    times are derived from them (`tickets.sla.clock_times`), so pauses, reopenings and policy
    changes never lose or double-count time. `next_due_at` is when the sweep must look at the
    clock again (the next warning threshold or the breach); the partial index over running
    clocks makes the sweep one indexed range scan.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="sla_clocks",
        db_index=False,  # `sla_clock_unique_metric` (ticket, metric) leads with it
    )
    metric = models.CharField(max_length=20, choices=SlaMetric.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="clocks")
    target_minutes = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=SlaState.choices, default=SlaState.RUNNING)
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    elapsed = models.DurationField(
        default=timedelta(0), help_text="Business time counted before `running_since`."
    )
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(
        default=timedelta(0), help_text="Wall-clock time spent paused (for reports)."
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    next_threshold = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["ticket", "metric"]
        verbose_name = "SLA clock"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_unique_metric"),
        ]
        indexes = [
            models.Index(
                fields=["next_due_at"],
                name="sla_clock_sweep",
                condition=Q(state=SlaState.RUNNING),
            ),
            # "Breaching soon" queue and the due-time sort: open clocks by due time.
            models.Index(
                fields=["due_at"],
                name="sla_clock_due",
                condition=Q(stopped_at__isnull=True),
            ),
            # Dashboards: compliance of clocks stopped in a date range. Stopped clocks only:
            # running ones would be index entries that every sweep update rewrites.
            models.Index(
                fields=["stopped_at"],
                name="sla_clock_stopped",
                condition=Q(stopped_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} on {self.ticket_id}: {self.state}"

    @property
    def target(self) -> timedelta:
        return timedelta(minutes=self.target_minutes)


class SlaThresholdFired(models.Model):
    """A threshold (a warning percentage, or 100 = breach) a clock has passed.

    The unique (clock, threshold) pair is what makes "each threshold fires exactly once"
    true: two sweeps racing, or a retried task, can insert the row only once, and only the
    sweep whose insert went through sends the notifications.
    """

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="fired")
    threshold = models.PositiveSmallIntegerField()
    fired_at = models.DateTimeField()

    class Meta:
        ordering = ["clock", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "threshold"], name="sla_threshold_once")
        ]

    def __str__(self) -> str:
        return f"{self.threshold}% on clock {self.clock_id}"
