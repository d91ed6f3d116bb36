import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def problem_candidates_detect() -> int:
    """Beat, daily: propose problem candidates from repeated incidents. Idempotent: a group
    already proposed (open) or dismissed is not proposed again."""
    from problems.services import problem_candidates_detect as detect

    created = detect()
    if created:
        logger.info("Trend detection proposed %d problem candidate(s).", created)
    return created
