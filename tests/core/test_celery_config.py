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
