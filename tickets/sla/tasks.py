"""Celery tasks of the SLA engine (routed to the `sla` queue)."""

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task
def sla_sweep(*, fan_out: bool = True) -> int:
    """Beat, every minute (ITSM_SLA_SWEEP_SECONDS), on the `sla` queue: fire the SLA
    thresholds that are due, batch by batch, until a batch comes back short.

    When more clocks are due than one batch holds (a busy hour, or the minutes after an
    outage), one loop would take turns between Python and Postgres, using one core: the
    sweep then first starts ITSM_SLA_SWEEP_WORKERS - 1 helper sweeps (`fan_out=False`, so
    a helper never starts more) for the other worker processes of the `sla` queue.

    Safe to duplicate or retry, and so are the helpers: batches claim clocks with SKIP
    LOCKED and each threshold is recorded under a unique (clock, threshold) key, so it
    notifies exactly once.
    """
    from tickets.sla.services import sla_sweep as sweep

    return sweep(on_backlog=_start_helper_sweeps if fan_out else None)


def _start_helper_sweeps() -> None:
    """Publish the helper sweeps. A broker that fails here is logged and the sweep goes on
    alone: slower, never wrong. A helper that waits longer than a beat interval for a free
    worker process expires; the next beat run covers its work."""
    from itsm.notifications.services import BROKER_ERRORS

    helpers = settings.ITSM_SLA_SWEEP_WORKERS - 1
    for _ in range(helpers):
        try:
            sla_sweep.apply_async(
                kwargs={"fan_out": False}, expires=settings.ITSM_SLA_SWEEP_SECONDS
            )
        except BROKER_ERRORS as exc:
            logger.warning("Could not start a helper SLA sweep; sweeping alone: %s", exc)
            return
