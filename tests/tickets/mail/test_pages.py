"""The desk's mailbox pages without a browser: who may see them, the secret never in the
HTML or the audit trail, and the list's queries not growing with the mailboxes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.audit.models import AuditEvent
from tickets.mail.models import InboundMessage, Mailbox

pytestmark = pytest.mark.django_db


def _box(n: int) -> Mailbox:
    return Mailbox.objects.create(
        name=f"Box {n}", address=f"box{n}@example.com", host="imap.example.com",
        username="desk", password=f"secret-{n}", last_error="" if n % 2 else "OSError: down",
        state="ok" if n % 2 else "failing",
    )  # fmt: skip


def test_agents_and_requesters_may_not_configure_mailboxes(client, agent, requester):
    box = _box(1)
    for user in (agent, requester):
        client.force_login(user)
        for url in (
            reverse("mail:desk-mailbox-list"),
            reverse("mail:desk-mailbox-detail", args=[box.pk]),
            reverse("mail:desk-mailbox-edit", args=[box.pk]),
        ):
            assert client.get(url).status_code == 403
        response = client.post(reverse("mail:desk-mailbox-edit", args=[box.pk]), {"name": "x"})
        assert response.status_code == 403
    box.refresh_from_db()
    assert box.name == "Box 1"


def test_the_list_costs_the_same_queries_for_one_mailbox_or_ten(client, admin_user):
    client.force_login(admin_user)
    url = reverse("mail:desk-mailbox-list")
    _box(0)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(1, 10):
        _box(n)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url)
    assert len(ten) == len(one)
    html = response.content.decode()
    assert "secret-" not in html
    assert html.count("Failing") == 5


def test_the_mailbox_page_lists_refusals_and_never_the_secret(client, admin_user):
    box = _box(2)
    InboundMessage.objects.create(
        mailbox=box, content_hash="a" * 64, sender="x@example.com", subject="Huge",
        size=31_000_000, outcome="refused", reason="The message is 29.6 MB; the limit is 25 MB.",
    )  # fmt: skip
    client.force_login(admin_user)
    response = client.get(reverse("mail:desk-mailbox-detail", args=[box.pk]))
    html = response.content.decode()
    assert "the limit is 25 MB" in html
    assert "OSError: down" in html
    assert "secret-2" not in html
    edit = client.get(reverse("mail:desk-mailbox-edit", args=[box.pk])).content.decode()
    assert "secret-2" not in edit


def test_a_changed_password_is_audited_without_its_value(client, admin_user):
    box = _box(3)
    client.force_login(admin_user)
    data = {
        "name": box.name, "address": box.address, "is_active": "on", "host": box.host,
        "port": "993", "security": "imaps", "username": "desk", "password": "new-secret",
        "folder": "INBOX", "processed_action": "flag", "processed_folder": "",
        "unknown_senders": "create",
    }  # fmt: skip
    response = client.post(reverse("mail:desk-mailbox-edit", args=[box.pk]), data)
    assert response.status_code == 302
    box.refresh_from_db()
    assert box.password == "new-secret"
    event = AuditEvent.objects.get(action="updated", record_id=box.pk)
    assert event.changes["password"] == {"to": "(changed)"}
    assert "new-secret" not in str(event.changes)
    # Moving needs a folder: the message is next to that field, nothing saved.
    data.update(processed_action="move", password="")
    response = client.post(reverse("mail:desk-mailbox-edit", args=[box.pk]), data)
    assert response.status_code == 400
    assert "Name the folder processed mail is moved to" in response.content.decode()
