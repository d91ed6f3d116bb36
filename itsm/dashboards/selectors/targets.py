"""The reference lines drawn on the figures (configured by an administrator)."""

from __future__ import annotations

from itsm.dashboards.models import DEFAULT_TARGETS, DashboardTarget


def dashboard_targets() -> dict[str, float]:
    """The reference lines: configured rows over the defaults (one query)."""
    targets = dict(DEFAULT_TARGETS)
    for key, value in DashboardTarget.objects.values_list("key", "value"):
        targets[key] = float(value)
    return targets
