import json
import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from itsm.cmdb.models import Service
from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification, NotificationPreference
from itsm.notifications.services import notification_create
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {
    "title": "INC0001001 assigned to you: VPN drops",
    "message": "Priority P2.\nRequester: Rita Requester.",
    "url": "http://desk.example.com/desk/incidents/INC0001001/",
}


def test_rows_are_written_in_the_callers_transaction_and_roll_back_with_it(requester, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_create(event="incident_assigned", recipients=[agent], context=CONTEXT)
        assert Notification.objects.count() == 1
        raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0


def test_delivery_is_enqueued_only_on_commit(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notification_create(event="incident_assigned", recipients=[agent], context=CONTEXT)
    assert len(callbacks) == 1
    assert [row.status for row in rows] == [NotificationStatus.PENDING]


def test_one_email_row_per_recipient_with_rendered_default_templates(agent, manager):
    service = Service.objects.create(name="VPN")
    rows = notification_create(
        event="incident_assigned",
        recipients=[agent, manager, agent],
        context=CONTEXT,
        record=service,
    )
    assert sorted(row.target for row in rows) == ["alice@example.com", "morgan@example.com"]
    row = next(r for r in rows if r.recipient == agent)
    assert row.channel == NotificationChannel.EMAIL
    assert row.subject == CONTEXT["title"]
    assert "Hello Alice," in row.body_text
    assert "Requester: Rita Requester." in row.body_text
    assert CONTEXT["url"] in row.body_text
    assert "Priority P2.<br>Requester: Rita Requester." in row.body_html
    assert f'href="{CONTEXT["url"]}"' in row.body_html
    assert (row.record_type.model, row.record_id, row.record_label) == (
        "service",
        service.pk,
        "VPN",
    )
    assert len({r.event_id for r in rows}) == 1


def test_html_body_escapes_context_but_text_body_does_not(agent):
    (row,) = notification_create(
        event="incident_assigned",
        recipients=[agent],
        context={"title": "<script>alert(1)</script> & more", "message": "", "url": ""},
    )
    assert "&lt;script&gt;" in row.body_html and "<script>" not in row.body_html
    assert "<script>alert(1)</script> & more" in row.body_text
    assert row.subject == "<script>alert(1)</script> & more"


def test_an_event_template_wins_over_the_default(agent, settings, tmp_path):
    folder = tmp_path / "notifications" / "email"
    folder.mkdir(parents=True)
    (folder / "change_approved_subject.txt").write_text("Approved:\n {{ title }}\n")
    (folder / "change_approved.txt").write_text("Go ahead, {{ recipient.display_name }}.")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    (row,) = notification_create(
        event="change_approved", recipients=[agent], context={"title": "CHG0000042"}
    )
    assert row.subject == "Approved: CHG0000042"
    assert row.body_text == "Go ahead, Alice Agent.\n"
    assert "CHG0000042" in row.body_html  # no event .html: the default one is used


def test_inactive_users_and_users_without_email_are_skipped(agent):
    gone = UserFactory(email="gone@example.com", is_active=False)
    no_mail = UserFactory(email="x@example.com")
    type(no_mail).objects.filter(pk=no_mail.pk).update(email="")
    no_mail.refresh_from_db()
    rows = notification_create(
        event="incident_assigned", recipients=[gone, no_mail, agent], context=CONTEXT
    )
    assert [row.target for row in rows] == ["alice@example.com"]


def test_opted_out_users_get_no_non_essential_email_but_still_get_essential_ones(agent, manager):
    NotificationPreference.objects.create(user=agent, receive_non_essential=False)
    non_essential = notification_create(
        event="maintenance_announced",
        recipients=[agent, manager],
        context=CONTEXT,
        essential=False,
    )
    essential = notification_create(
        event="incident_assigned", recipients=[agent, manager], context=CONTEXT
    )
    assert [row.recipient for row in non_essential] == [manager]
    assert {row.recipient for row in essential} == {agent, manager}


def test_nobody_to_tell_writes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert notification_create(event="incident_assigned", recipients=[], context={}) == []
    assert callbacks == []


def test_event_names_must_be_identifiers_so_they_cannot_reach_other_templates(agent):
    with pytest.raises(ValueError, match="lower_snake_case"):
        notification_create(event="../../admin/base", recipients=[agent], context={})


def test_matching_active_webhooks_get_one_row_each_with_a_slack_friendly_payload(
    agent, make_subscription
):
    vpn = Service.objects.create(name="VPN")
    mail = Service.objects.create(name="Mail")
    every = make_subscription(name="All events", url="https://hooks.example.com/all")
    make_subscription(
        name="Assignments", url="https://hooks.example.com/a", events=["incident_assigned"]
    )
    make_subscription(
        name="Other event", url="https://hooks.example.com/o", events=["change_approved"]
    )
    make_subscription(name="Paused", url="https://hooks.example.com/p", is_active=False)
    make_subscription(name="VPN owners", url="https://hooks.example.com/vpn", service=vpn)
    make_subscription(name="Mail owners", url="https://hooks.example.com/mail", service=mail)

    rows = notification_create(
        event="incident_assigned", recipients=[agent], context=CONTEXT, record=vpn
    )

    hooks = {row.target: row for row in rows if row.channel == NotificationChannel.WEBHOOK}
    assert set(hooks) == {
        "https://hooks.example.com/all",
        "https://hooks.example.com/a",
        "https://hooks.example.com/vpn",
    }
    payload = hooks["https://hooks.example.com/all"].payload
    assert payload["text"] == f"{CONTEXT['title']}\n{CONTEXT['url']}"
    assert payload["event"] == "incident_assigned"
    assert payload["record"] == "VPN"
    assert payload["title"] == CONTEXT["title"]
    assert hooks["https://hooks.example.com/all"].subscription == every
    assert hooks["https://hooks.example.com/all"].recipient is None


def test_a_callers_webhook_payload_is_sent_as_given_plus_a_text_line(agent, make_subscription):
    make_subscription(url="https://hooks.example.com/all")
    rows = notification_create(
        event="incident_assigned",
        recipients=[],
        context=CONTEXT,
        webhook_payload={"number": "INC0001001", "priority": 2},
    )
    assert rows[0].payload == {
        "text": f"{CONTEXT['title']}\n{CONTEXT['url']}",
        "number": "INC0001001",
        "priority": 2,
    }


def test_the_idempotency_key_refuses_a_second_row_for_the_same_event_and_target(agent):
    event_id = uuid.uuid4()
    fields = {"event_id": event_id, "event": "x", "channel": "email", "target": "a@example.com"}
    Notification.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(**fields)


def test_rows_start_pending_and_due_now(agent):
    before = timezone.now()
    (row,) = notification_create(event="incident_assigned", recipients=[agent], context=CONTEXT)
    assert row.status == NotificationStatus.PENDING
    assert row.attempts == 0
    assert before <= row.next_attempt_at <= timezone.now() + timedelta(seconds=1)
    assert json.loads(json.dumps(row.payload)) == {}
