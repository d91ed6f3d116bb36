import pytest

from itsm.core.models import WorkerHeartbeat
from itsm.core.selectors import worker_liveness_problems
from itsm.core.tasks import echo, worker_heartbeat


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_redis(celery_worker):
    result = echo.apply_async(args=["hello from the broker"], ignore_result=False)
    assert result.get(timeout=20) == "hello from the broker"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_task_makes_its_queue_live_in_postgresql(celery_worker):
    assert worker_liveness_problems(queues=["default"], max_age_seconds=60)
    worker_heartbeat.apply_async(args=["default"], ignore_result=False).get(timeout=20)
    assert WorkerHeartbeat.objects.get(queue="default").heartbeat_at is not None
    assert worker_liveness_problems(queues=["default"], max_age_seconds=60) == []


def test_beat_sends_a_heartbeat_to_every_queue(settings):
    heartbeats = {
        entry["options"]["queue"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "itsm.core.tasks.worker_heartbeat"
    }
    assert heartbeats == set(settings.CELERY_TASK_QUEUES_NAMES)


def test_beat_schedule_entries_expire_before_their_next_run(settings):
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        period = schedule if isinstance(schedule, float | int) else None
        assert "expires" in entry["options"], name
        if period is not None:
            assert entry["options"]["expires"] < period, name
