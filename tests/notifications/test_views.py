import uuid

import pytest
from django.urls import reverse

from itsm.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/notifications/preferences/"


def test_the_preferences_page_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_requester_sees_non_essential_email_switched_on_by_default(client_as, requester):
    response = client_as(requester).get(URL)
    assert response.status_code == 200
    assert 'name="receive_non_essential"' in response.text
    assert "checked" in response.text


def test_a_requester_can_opt_out_of_non_essential_email(client_as, requester):
    response = client_as(requester).post(URL, {})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=requester).receive_non_essential is False
    assert "checked" not in client_as(requester).get(URL).text


def test_a_requester_can_opt_back_in(client_as, requester):
    NotificationPreference.objects.create(user=requester, receive_non_essential=False)
    client_as(requester).post(URL, {"receive_non_essential": "on"})
    assert NotificationPreference.objects.get(user=requester).receive_non_essential is True


def test_the_admin_lists_failed_notifications_and_retries_them(
    client_as, admin_user, requester, mailoutbox, django_capture_on_commit_callbacks
):
    failed = Notification.objects.create(
        event_id="6f1c8f0e-6a43-4d0c-9c55-0c6f6f0d9a11",
        event="incident_resolved",
        channel="email",
        recipient=requester,
        target=requester.email,
        subject="Resolved",
        body_text="Done",
        status="failed",
        attempts=6,
        last_error="SMTPServerDisconnected",
    )
    client = client_as(admin_user)
    changelist = reverse("admin:notifications_notification_changelist")
    page = client.get(changelist, {"problem": "failed"})
    assert page.status_code == 200
    assert "rita@example.com" in page.text

    from itsm.celery import app

    saved, app.conf["task_always_eager"] = app.conf["task_always_eager"], True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]})
    finally:
        app.conf["task_always_eager"] = saved
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert [m.subject for m in mailoutbox] == ["Resolved"]


def _email_in_review(requester) -> Notification:
    return Notification.objects.create(
        event_id=uuid.uuid4(),
        event="incident_resolved",
        channel="email",
        recipient=requester,
        target=requester.email,
        subject="Resolved",
        body_text="Done",
        status="needs_review",
        attempts=1,
        last_error="The worker sending this e-mail stopped …",
    )


def test_the_admin_warns_about_emails_in_review_and_shows_their_message_id(
    client_as, admin_user, requester
):
    review = _email_in_review(requester)
    client = client_as(admin_user)
    changelist = reverse("admin:notifications_notification_changelist")

    page = client.get(changelist, {"problem": "review"})

    assert page.status_code == 200
    assert "1 e-mail(s) need review" in page.text
    assert "rita@example.com" in page.text
    detail = client.get(reverse("admin:notifications_notification_change", args=[review.pk]))
    assert f"&lt;{review.event_id}.{review.pk}@example.com&gt;" in detail.text


def test_the_admin_resends_an_email_in_review_or_marks_it_delivered(
    client_as, admin_user, requester, mailoutbox, django_capture_on_commit_callbacks
):
    review = _email_in_review(requester)
    client = client_as(admin_user)
    changelist = reverse("admin:notifications_notification_changelist")
    from itsm.celery import app

    saved, app.conf["task_always_eager"] = app.conf["task_always_eager"], True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(changelist, {"action": "retry", "_selected_action": [review.pk]})
        assert mailoutbox == []  # a plain retry leaves rows in review alone
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                changelist, {"action": "resend_reviewed", "_selected_action": [review.pk]}
            )
    finally:
        app.conf["task_always_eager"] = saved
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, [m.to for m in mailoutbox]) == ("sent", [["rita@example.com"]])

    other = _email_in_review(requester)
    client.post(changelist, {"action": "confirm_delivered", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.status == "sent"
    assert len(mailoutbox) == 1
