"""notification_create_many: many events in one call, constant queries, rendered at delivery."""

import pytest
from django.db import transaction

from itsm.cmdb.models import Service
from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification, NotificationPreference
from itsm.notifications.services import (
    NotificationRequest,
    notification_create,
    notification_create_many,
    notification_deliver,
)
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
    }
}

CONTEXT = {
    "title": "SLA breached: resolution on INC0001001 (VPN drops)",
    "message": "The resolution target of 240 business minutes has passed.\nPriority P1.",
    "url": "http://desk.example.com/desk/tickets/INC0001001/",
}


def _requests(count, recipients):
    return [
        NotificationRequest(
            event="sla_breached", recipients=recipients, context={**CONTEXT, "title": f"Breach {i}"}
        )
        for i in range(count)
    ]


def test_rows_are_written_in_the_callers_transaction_and_roll_back_with_it(agent, manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        written = notification_create_many(items=_requests(3, [agent, manager]))
        assert written == 6
        assert Notification.objects.count() == 6
        raise RuntimeError("the sweep batch failed")
    assert Notification.objects.count() == 0


def test_the_whole_batch_is_enqueued_once_on_commit(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_create_many(items=_requests(20, [agent]))
    assert len(callbacks) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.PENDING
    }


def test_ten_and_fifty_events_cost_the_same_queries(
    agent, manager, make_subscription, django_assert_max_num_queries
):
    make_subscription(url="https://hooks.example.com/all")
    make_subscription(url="https://hooks.example.com/w", events=["sla_warning"])
    service = Service.objects.create(name="VPN")
    people = [agent, manager] + [UserFactory() for _ in range(8)]

    def batch(count):
        return [
            NotificationRequest(
                event=("sla_warning", "sla_breached", "maintenance_announced")[i % 3],
                recipients=people[i % 10 :] + people[: i % 3],
                context={**CONTEXT, "title": f"Event {i}"},
                record=service,
                essential=i % 3 != 2,
            )
            for i in range(count)
        ]

    notification_create_many(items=batch(1))  # warms the content type cache
    # Subscriptions, opt-outs, one INSERT; for the desk events (SLA warnings and breaches)
    # the staff with their per-event choices and one INSERT of the bell's lines.
    with django_assert_max_num_queries(5) as ten:
        notification_create_many(items=batch(10))
    with django_assert_max_num_queries(5) as fifty:
        written = notification_create_many(items=batch(50))
    assert len(ten.captured_queries) == len(fifty.captured_queries) == 5
    assert written > 50 * 2


def test_opted_out_users_miss_non_essential_events_but_get_essential_ones_in_the_same_batch(
    agent, manager
):
    NotificationPreference.objects.create(user=agent, receive_non_essential=False)
    notification_create_many(
        items=[
            NotificationRequest(
                event="maintenance_announced",
                recipients=[agent, manager],
                context=CONTEXT,
                essential=False,
            ),
            NotificationRequest(event="sla_breached", recipients=[agent, manager], context=CONTEXT),
        ]
    )
    announced = Notification.objects.filter(event="maintenance_announced")
    breached = Notification.objects.filter(event="sla_breached")
    assert list(announced.values_list("recipient", flat=True)) == [manager.pk]
    assert set(breached.values_list("recipient", flat=True)) == {agent.pk, manager.pk}


def test_inactive_users_users_without_email_and_duplicates_are_skipped(agent):
    gone = UserFactory(email="gone@example.com", is_active=False)
    no_mail = UserFactory(email="x@example.com")
    type(no_mail).objects.filter(pk=no_mail.pk).update(email="")
    no_mail.refresh_from_db()
    written = notification_create_many(
        items=[
            NotificationRequest(
                event="sla_warning", recipients=[gone, no_mail, agent, agent, None], context={}
            )
        ]
    )
    assert written == 1
    assert list(Notification.objects.values_list("target", flat=True)) == ["alice@example.com"]


def test_matching_webhooks_get_a_row_per_event_filtered_by_event_and_service(
    agent, make_subscription
):
    vpn = Service.objects.create(name="VPN")
    mail = Service.objects.create(name="Mail")
    every = make_subscription(name="All", url="https://hooks.example.com/all")
    make_subscription(name="Breaches", url="https://hooks.example.com/b", events=["sla_breached"])
    make_subscription(name="Paused", url="https://hooks.example.com/p", is_active=False)
    make_subscription(name="VPN owners", url="https://hooks.example.com/vpn", service=vpn)
    make_subscription(name="Mail owners", url="https://hooks.example.com/mail", service=mail)

    notification_create_many(
        items=[
            NotificationRequest(
                event="sla_breached",
                recipients=[],
                context=CONTEXT,
                record=vpn,
                webhook_payload={"ticket": "INC0001001", "threshold": 100},
            ),
            NotificationRequest(event="sla_warning", recipients=[agent], context=CONTEXT),
        ]
    )

    hooks = Notification.objects.filter(channel=NotificationChannel.WEBHOOK)
    breached = {row.target: row for row in hooks.filter(event="sla_breached")}
    assert set(breached) == {
        "https://hooks.example.com/all",
        "https://hooks.example.com/b",
        "https://hooks.example.com/vpn",
    }
    assert list(hooks.filter(event="sla_warning").values_list("target", flat=True)) == [
        "https://hooks.example.com/all"
    ]
    row = breached["https://hooks.example.com/all"]
    assert row.subscription == every
    assert row.payload == {
        "text": f"{CONTEXT['title']}\n{CONTEXT['url']}",
        "ticket": "INC0001001",
        "threshold": 100,
    }
    assert (row.record_type.model, row.record_id, row.record_label) == ("service", vpn.pk, "VPN")
    # One occurrence per request: its email and webhook rows share the event id.
    warning_ids = set(
        Notification.objects.filter(event="sla_warning").values_list("event_id", flat=True)
    )
    assert len(warning_ids) == 1 and warning_ids.isdisjoint({row.event_id})


def test_email_rows_keep_exactly_the_callers_context_and_are_not_rendered_yet(agent):
    notification_create_many(
        items=[NotificationRequest(event="sla_breached", recipients=[agent], context=CONTEXT)]
    )
    (row,) = Notification.objects.all()
    # Nothing is added from the record (no comments, no work notes): only what the caller built.
    assert row.context == CONTEXT
    assert (row.subject, row.body_text, row.body_html) == ("", "", "")
    assert row.recipient == agent


def test_lazy_rendering_at_delivery_sends_and_stores_what_eager_rendering_would(agent, mailoutbox):
    (eager,) = notification_create(event="sla_breached", recipients=[agent], context=CONTEXT)
    notification_create_many(
        items=[NotificationRequest(event="sla_breached", recipients=[agent], context=CONTEXT)]
    )
    lazy = Notification.objects.exclude(pk=eager.pk).get()

    sent_eager = notification_deliver(notification_id=eager.pk)
    sent_lazy = notification_deliver(notification_id=lazy.pk)

    assert sent_lazy.status == NotificationStatus.SENT
    assert (sent_lazy.subject, sent_lazy.body_text, sent_lazy.body_html) == (
        sent_eager.subject,
        sent_eager.body_text,
        sent_eager.body_html,
    )
    assert "Hello Alice," in sent_lazy.body_text
    first, second = mailoutbox
    assert (first.subject, first.body, first.alternatives) == (
        second.subject,
        second.body,
        second.alternatives,
    )
    assert second.extra_headers["X-ITSM-Event-Id"] == str(lazy.event_id)


def test_an_event_template_is_used_at_delivery_too(agent, settings, tmp_path, mailoutbox):
    folder = tmp_path / "notifications" / "email"
    folder.mkdir(parents=True)
    (folder / "sla_warning_subject.txt").write_text("Warning:\n {{ title }}\n")
    (folder / "sla_warning.txt").write_text("Hurry, {{ recipient.display_name }}.")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    notification_create_many(
        items=[
            NotificationRequest(
                event="sla_warning", recipients=[agent], context={"title": "INC0001001"}
            )
        ]
    )
    row = notification_deliver(notification_id=Notification.objects.get().pk)
    assert row.subject == "Warning: INC0001001"
    assert row.body_text == "Hurry, Alice Agent.\n"
    (message,) = mailoutbox
    assert message.subject == "Warning: INC0001001"


def test_a_failed_lazy_send_keeps_the_row_unrendered_for_the_retry(agent, settings):
    settings.MAILERS = UNREACHABLE_SMTP
    notification_create_many(
        items=[NotificationRequest(event="sla_breached", recipients=[agent], context=CONTEXT)]
    )
    row = notification_deliver(notification_id=Notification.objects.get().pk)
    assert row.status == NotificationStatus.PENDING
    assert row.last_error
    assert row.body_text == "" and row.context == CONTEXT


def test_an_invalid_event_name_writes_nothing(agent):
    items = [
        NotificationRequest(event="sla_breached", recipients=[agent], context=CONTEXT),
        NotificationRequest(event="../../admin/base", recipients=[agent], context={}),
    ]
    with pytest.raises(ValueError, match="lower_snake_case"):
        notification_create_many(items=items)
    assert not Notification.objects.exists()


def test_an_empty_batch_runs_no_query(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        assert notification_create_many(items=[]) == 0
    assert callbacks == []
