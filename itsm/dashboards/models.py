"""What the dashboards keep of their own: the targets managers measure against, which
weekly summaries went out, and the rollup the overview's range figures are read from.

The rollup (`dashboards.rollup`) is a derived copy of ticket data, rebuilt from the process
apps' tables at any time (`manage.py dashboard_rollup --rebuild`): one narrow fact row per
ticket (`DashboardTicketFact`), and daily sums per filter dimension (`DashboardDaily`) with
duration histograms (`DashboardDailyDuration`). Nothing else writes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class TargetKey(models.TextChoices):
    SLA_RESPONSE = "sla_response", "SLA first response met (%)"
    SLA_RESOLUTION = "sla_resolution", "SLA resolution met (%)"
    FCR = "fcr", "First-contact resolution (%)"
    REASSIGNMENT = "reassignment", "Reassignment rate, at most (%)"
    CSAT = "csat", "Satisfaction average (1–5)"
    CSAT_RESPONSE = "csat_response", "Survey response rate (%)"
    CHANGE_SUCCESS = "change_success", "Change success rate (%)"


# Common industry reference points (HDI / MetricNet benchmarks for service desks). A
# DashboardTarget row overrides one; with no rows the dashboards still draw these lines.
DEFAULT_TARGETS: dict[str, float] = {
    TargetKey.SLA_RESPONSE: 95.0,
    TargetKey.SLA_RESOLUTION: 95.0,
    TargetKey.FCR: 70.0,
    TargetKey.REASSIGNMENT: 10.0,
    TargetKey.CSAT: 4.2,
    TargetKey.CSAT_RESPONSE: 20.0,
    TargetKey.CHANGE_SUCCESS: 95.0,
}


class DashboardTarget(models.Model):
    """A reference line on the dashboards (e.g. "SLA 95 % met"), set by administrators.

    One row per key; a key without a row uses its default from `DEFAULT_TARGETS`.
    """

    key = models.CharField(max_length=30, choices=TargetKey.choices, unique=True)
    value = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["key"]
        permissions = [("view_dashboards", "Can view the manager dashboards")]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.value}"


class WeeklySummarySent(models.Model):
    """Marks the week whose summary email went out, so a re-run beat task sends nothing twice
    (the unique week is the claim)."""

    week_start = models.DateField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Weekly summary of {self.week_start}"


# --- The rollup (written only by itsm.dashboards.rollup, set-based in SQL) ---

# The dimensions a daily row can be split by, in the order of Postgres' GROUPING(): a bit is
# set for each dimension the row sums over (so 0 is the finest grain, all bits the desk).
ROLLUP_DIMENSIONS = ("team", "assignee", "service", "priority", "channel", "category")


def _dimension_fields():
    return {
        "team": models.ForeignKey(
            "accounts.Team", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
            related_name="+",
        ),
        "assignee": models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING,
            db_constraint=False, related_name="+",
        ),
        "service": models.ForeignKey(
            "cmdb.Service", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
            related_name="+",
        ),
        "priority": models.PositiveSmallIntegerField(null=True),
        "channel": models.CharField(max_length=10, null=True),
        "category": models.ForeignKey(
            "tickets.Category", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
            related_name="+",
        ),
    }  # fmt: skip


class DashboardTicketFact(models.Model):
    """What one ticket contributed to the rollup when it was last rolled up: its filter
    dimensions and the local days of its events (raised, resolved, each SLA clock stopped).

    The refresh compares these rows with the tickets as they are now; a difference names
    the days to recompute (the old day and the new one, e.g. when a ticket is reopened).
    """

    ticket_id = models.BigIntegerField(primary_key=True)
    team = _dimension_fields()["team"]
    assignee = _dimension_fields()["assignee"]
    service = _dimension_fields()["service"]
    priority = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10)
    category = _dimension_fields()["category"]
    created_day = models.DateField()
    resolved_day = models.DateField(null=True, help_text="Set while resolved or closed.")
    first_contact = models.BooleanField()
    reassigned = models.BooleanField()
    rating = models.PositiveSmallIntegerField(null=True)
    response_day = models.DateField(null=True)
    response_met = models.BooleanField(null=True)
    response_seconds = models.FloatField(null=True)
    resolution_day = models.DateField(null=True)
    resolution_met = models.BooleanField(null=True)
    resolution_seconds = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_day"], name="dash_fact_created"),
            models.Index(
                fields=["resolved_day"], name="dash_fact_resolved",
                condition=Q(resolved_day__isnull=False),
            ),
            models.Index(
                fields=["response_day"], name="dash_fact_response",
                condition=Q(response_day__isnull=False),
            ),
            models.Index(
                fields=["resolution_day"], name="dash_fact_resolution",
                condition=Q(resolution_day__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Rollup facts of ticket {self.ticket_id}"


class DashboardDaily(models.Model):
    """Additive sums of one local day for one combination of dimensions (`grain` says which
    dimensions the row is split by; the others are summed over and left empty).

    Counts are by the day of the event they count: `created` by the day a ticket was raised;
    `resolved`, `first_contact`, `reassigned` and `rating_*` by the day it was resolved (for
    tickets resolved or closed now); `response_*` and `resolution_*` by the day the SLA
    clock stopped, with the business seconds it ran for the means.
    """

    day = models.DateField()
    grain = models.PositiveSmallIntegerField()
    team = _dimension_fields()["team"]
    assignee = _dimension_fields()["assignee"]
    service = _dimension_fields()["service"]
    priority = _dimension_fields()["priority"]
    channel = _dimension_fields()["channel"]
    category = _dimension_fields()["category"]
    created = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    first_contact = models.IntegerField(default=0)
    reassigned = models.IntegerField(default=0)
    rating_1 = models.IntegerField(default=0)
    rating_2 = models.IntegerField(default=0)
    rating_3 = models.IntegerField(default=0)
    rating_4 = models.IntegerField(default=0)
    rating_5 = models.IntegerField(default=0)
    response_met = models.IntegerField(default=0)
    response_breached = models.IntegerField(default=0)
    response_seconds = models.FloatField(default=0)
    resolution_met = models.IntegerField(default=0)
    resolution_breached = models.IntegerField(default=0)
    resolution_seconds = models.FloatField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "day"], name="dash_daily_grain_day"),
            models.Index(fields=["grain", "team", "day"], name="dash_daily_team"),
            models.Index(fields=["grain", "assignee", "day"], name="dash_daily_assignee"),
            models.Index(fields=["grain", "service", "day"], name="dash_daily_service"),
        ]

    def __str__(self) -> str:
        return f"Dashboard sums of {self.day} (grain {self.grain})"


class DashboardDailyDuration(models.Model):
    """How many SLA clocks of one metric stopped on one local day after running (business
    time) within one band of a histogram, with their sum, for the medians.

    Bands are 5 % wide (band b > 0 holds 1.05^(b-1) to 1.05^b minutes; band 0 under one
    minute), so a median read from them is within 5 % of the exact one.
    """

    day = models.DateField()
    grain = models.PositiveSmallIntegerField()
    team = _dimension_fields()["team"]
    assignee = _dimension_fields()["assignee"]
    service = _dimension_fields()["service"]
    priority = _dimension_fields()["priority"]
    channel = _dimension_fields()["channel"]
    category = _dimension_fields()["category"]
    metric = models.CharField(max_length=20)
    band = models.PositiveSmallIntegerField()
    clocks = models.IntegerField()
    seconds = models.FloatField()

    class Meta:
        indexes = [
            # Covering: the whole-desk median over a year sums ~90k rows from the index alone.
            models.Index(
                fields=["grain", "day"],
                include=["metric", "band", "clocks", "seconds"],
                name="dash_duration_grain_day",
            ),
            models.Index(fields=["grain", "team", "day"], name="dash_duration_team"),
            models.Index(fields=["grain", "assignee", "day"], name="dash_duration_assignee"),
            models.Index(fields=["grain", "service", "day"], name="dash_duration_service"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} durations of {self.day} (grain {self.grain}, band {self.band})"


class DashboardRollupState(models.Model):
    """The one row that says how far the rollup has been brought: its lock serialises
    refreshes (two beats, or a beat and a rebuild, never interleave)."""

    watermark = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    reconciled_at = models.DateTimeField(null=True)
    last_tickets = models.IntegerField(default=0)
    last_days = models.IntegerField(default=0)
    open_as_of = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Dashboard rollup up to {self.watermark}"


class DashboardOpenNow(models.Model):
    """The open tickets as of the last rollup refresh, per grain and age band: how many,
    and how many of their SLA clocks were breached or at risk then (the overview's "now"
    figures; a live count over every open ticket is too slow at desk scale)."""

    grain = models.PositiveSmallIntegerField()
    team = _dimension_fields()["team"]
    assignee = _dimension_fields()["assignee"]
    service = _dimension_fields()["service"]
    priority = _dimension_fields()["priority"]
    channel = _dimension_fields()["channel"]
    category = _dimension_fields()["category"]
    age_band = models.PositiveSmallIntegerField()
    tickets = models.IntegerField()
    response_breached = models.IntegerField()
    response_at_risk = models.IntegerField()
    resolution_breached = models.IntegerField()
    resolution_at_risk = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["grain", "team"], name="dash_open_team"),
            models.Index(fields=["grain", "assignee"], name="dash_open_assignee"),
        ]

    def __str__(self) -> str:
        return f"Open tickets (grain {self.grain}, age band {self.age_band})"
