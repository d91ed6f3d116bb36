def test_celery_is_configured_deliberately(settings):
    from itsm.celery import app

    assert {q.name for q in app.conf.task_queues} == {"default", "sla", "notifications"}
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 3600
