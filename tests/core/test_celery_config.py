def test_celery_is_configured_deliberately(settings):
    from itsm.celery import app

    assert {q.name for q in app.conf.task_queues} == {"default", "sla", "notifications", "mail"}
    # IMAP polls wait on other servers, so they have their own queue, started from beat.
    assert app.amqp.router.route({}, "tickets.mail.tasks.mailbox_poll")["queue"].name == "mail"
    assert settings.CELERY_BEAT_SCHEDULE["mailboxes-poll"]["task"] == (
        "tickets.mail.tasks.mailboxes_poll"
    )
    assert "mail" in settings.CELERY_WORKER_QUEUES
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 3600


def test_only_workers_and_beat_reconnect_to_the_broker_forever(settings):
    """A web process gives up on a dead broker (the outbox sweep catches up); the worker and
    beat start-up signals switch their own process to retrying forever."""
    from celery import Celery

    from itsm.celery import _reconnect_forever, app

    assert app.conf.broker_connection_max_retries == 1
    assert settings.ITSM_WORKER_BROKER_CONNECTION_MAX_RETRIES is None
    worker_app = Celery("worker-under-test")
    worker_app.conf.broker_connection_max_retries = 1
    _reconnect_forever(worker_app.conf)
    assert worker_app.conf.broker_connection_max_retries is None
    assert worker_app.conf.broker_connection_retry is True
