import pytest

from itsm.core.tasks import beat_heartbeat, echo
from itsm.core.views import beat_alive


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_redis(celery_worker):
    result = echo.apply_async(args=["hello from the broker"], ignore_result=False)
    assert result.get(timeout=20) == "hello from the broker"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_heartbeat_task_marks_beat_alive(celery_worker):
    from django.core.cache import cache

    cache.delete("beat-heartbeat")
    beat_heartbeat.apply_async(ignore_result=False).get(timeout=20)
    assert beat_alive()


def test_beat_schedule_entries_expire_before_their_next_run(settings):
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        period = schedule if isinstance(schedule, float | int) else None
        assert "expires" in entry["options"], name
        if period is not None:
            assert entry["options"]["expires"] < period, name
