"""The active SLA policies with their calendars: a handful of rows that every create,
re-triage and ticket page reads, kept in the cache until a policy or a calendar changes
(tickets.signals → tickets.sla.services.sla_policies_forget)."""

from itsm.core.cache import cached
from tickets.models import SlaPolicy

ACTIVE_POLICIES_KEY = "tickets:sla-policies"


def _active_policies() -> list[SlaPolicy]:
    # With each calendar's working hours and closed dates: a clock started from a cached
    # policy computes its due time without reading them again.
    return list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("calendar__closed_dates", "calendar__working_intervals")
        .order_by("order", "id")
    )


def sla_policies_active() -> list[SlaPolicy]:
    """The active policies in matching order, each with its calendar's hours and dates."""
    return cached(ACTIVE_POLICIES_KEY, seconds=3600, compute=_active_policies)
