"""What the dashboards keep of their own: the targets managers measure against, and which
weekly summaries went out.

Every figure is computed from the process apps' tables at request time; nothing here is a
copy of ticket data.
"""

from django.db import models


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
