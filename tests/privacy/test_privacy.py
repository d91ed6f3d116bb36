"""Privacy requests: export everything about a person, erase a person, both audited."""

import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore

from itsm.accounts.models import User
from itsm.audit.models import AuditEvent
from itsm.core.exceptions import GuardFailed, PermissionRefused
from itsm.privacy import services
from tickets.models import Attachment, Comment, Ticket

pytestmark = pytest.mark.django_db


def _open(export):
    with zipfile.ZipFile(export.file) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("person.json"))
        files = {name: archive.read(name) for name in names if name != "person.json"}
    return data, files


def test_export_holds_the_profile_tickets_comments_files_time_and_audit(
    admin_user, requester, agent, rita_history
):
    export = services.person_export(actor=admin_user, person=requester)
    data, files = _open(export)

    assert data["profile"][0]["email"] == "rita@example.com"
    assert data["profile"][0]["roles"] == ["Requester"]
    assert [t["number"] for t in data["tickets_requested"]] == [
        rita_history["first"].number,
        rita_history["second"].number,
    ]
    assert data["tickets_requested"][0]["description"] == "My name is Rita and my laptop screams."
    assert [t["number"] for t in data["tickets_watching"]] == [rita_history["omars"].number]
    assert [c["body"] for c in data["comments_written"]] == ["Call me on 0171 555 0100."]
    assert data["time_entries"] == []  # the agent's, not Rita's
    assert {a["name"] for a in data["attachments_uploaded"]} == {"fan.txt", "photo.png"}
    assert sorted(files.values()) == sorted([b"fan noise recording", b"\x89PNG\r\n\x1a\nRITA"])
    for row in data["attachments_uploaded"]:
        assert row["file_in_this_zip"] in files
    assert {e["action"] for e in data["audit_events_by_them"]} >= {"created", "reply_added"}
    assert data["sessions"] == []
    # The export itself is in the trail.
    event = AuditEvent.objects.get(action="personal_data_exported")
    assert (event.actor, event.record_id) == (admin_user, requester.pk)


def test_agent_export_holds_their_time_entries_and_sessions(admin_user, agent, rita_history):
    session = SessionStore()
    session["_auth_user_id"] = str(agent.pk)
    session.create()
    data, _files = _open(services.person_export(actor=admin_user, person=agent))
    assert [(t["minutes"], t["note"]) for t in data["time_entries"]] == [(15, "Phoned Rita")]
    assert len(data["sessions"]) == 1
    assert session.session_key not in json.dumps(data)  # a session key is a credential


def test_only_an_administrator_may_export_or_erase(agent, manager, requester):
    with pytest.raises(PermissionRefused):
        services.person_export(actor=manager, person=requester)
    with pytest.raises(PermissionRefused):
        services.person_erase(actor=agent, person=requester)
    assert not AuditEvent.objects.filter(action__startswith="personal_data").exists()


def test_erasure_pseudonymises_removes_words_and_files_and_keeps_tickets_and_trail(
    admin_user, requester, agent, rita_history, media
):
    session = SessionStore()
    session["_auth_user_id"] = str(requester.pk)
    session.create()
    stored = [Path(media) / a.file.name for a in Attachment.objects.filter(uploaded_by=requester)]
    assert all(path.exists() for path in stored)
    tickets_before = list(
        Ticket.objects.order_by("id").values_list(
            "number", "status", "priority", "category", "created_at", "requester"
        )
    )
    version_before = Ticket.objects.get(pk=rita_history["first"].pk).version
    trail_before = list(
        AuditEvent.objects.order_by("id").values_list("id", "occurred_at", "action")
    )

    summary = services.person_erase(actor=admin_user, person=requester)

    rita = User.objects.get(pk=requester.pk)
    assert summary.pseudonym == f"Erased person {rita.pk}" == rita.display_name
    assert rita.email == f"erased-{rita.pk}@erased.invalid"
    assert rita.phone == ""
    assert not rita.is_active and not rita.has_usable_password()
    assert not rita.groups.exists()
    first = Ticket.objects.get(pk=rita_history["first"].pk)
    assert first.description == services.REMOVED_TEXT
    assert first.short_description == "Laptop fan is loud"
    assert first.version == version_before + 1  # an open edit form is refused, not applied
    assert list(Comment.objects.filter(author=rita).values_list("body", flat=True)) == [
        services.REMOVED_TEXT
    ]
    assert Comment.objects.filter(author=agent, body="On it, Rita.").exists()  # not hers
    assert not Attachment.objects.filter(uploaded_by=rita).exists()
    assert summary.attachments == 2
    assert not rita.watched_tickets.exists()
    assert not SessionStore().exists(session.session_key)
    # Statistics and trail: the same tickets (numbers, states, dates, requester row) …
    assert (
        list(
            Ticket.objects.order_by("id").values_list(
                "number", "status", "priority", "category", "created_at", "requester"
            )
        )
        == tickets_before
    )
    # … the same audit rows, plus one for the erasure, whose actor now reads as the pseudonym.
    trail_after = list(AuditEvent.objects.order_by("id").values_list("id", "occurred_at", "action"))
    assert trail_after[: len(trail_before)] == trail_before
    assert [row[2] for row in trail_after[len(trail_before) :]] == ["personal_data_erased"]
    assert str(AuditEvent.objects.filter(actor=rita).first().actor) == summary.pseudonym


def test_erased_files_leave_the_storage_after_commit(
    admin_user, requester, rita_history, media, django_capture_on_commit_callbacks
):
    stored = [Path(media) / a.file.name for a in Attachment.objects.filter(uploaded_by=requester)]
    with django_capture_on_commit_callbacks(execute=True):
        services.person_erase(actor=admin_user, person=requester)
    assert stored and not any(path.exists() for path in stored)


def test_erasing_oneself_or_twice_is_refused(admin_user, requester, rita_history):
    with pytest.raises(GuardFailed, match="your own account"):
        services.person_erase(actor=admin_user, person=admin_user)
    services.person_erase(actor=admin_user, person=requester)
    with pytest.raises(GuardFailed, match="already been erased"):
        services.person_erase(actor=admin_user, person=User.objects.get(pk=requester.pk))


def test_sign_in_records_are_exported_without_secrets_and_erased(admin_user, requester):
    """allauth's e-mail addresses and linked SSO accounts (installed with single sign-on)."""
    from django.apps import apps

    if not apps.is_installed("allauth.socialaccount"):
        pytest.skip("allauth arrives with single sign-on (h-sso)")
    EmailAddress = apps.get_model("account", "EmailAddress")
    SocialAccount = apps.get_model("socialaccount", "SocialAccount")
    EmailAddress.objects.create(user=requester, email=requester.email, verified=True, primary=True)
    SocialAccount.objects.create(
        user=requester, provider="entra", uid="rita-42", extra_data={"name": "Rita Requester"}
    )
    data, _files = _open(services.person_export(actor=admin_user, person=requester))
    assert data["email_addresses"] == [
        {"email": "rita@example.com", "verified": True, "primary": True}
    ]
    assert [(a["provider"], a["uid"]) for a in data["linked_sign_in_accounts"]] == [
        ("entra", "rita-42")
    ]

    services.person_erase(actor=admin_user, person=requester)
    assert not EmailAddress.objects.filter(email__iexact="rita@example.com").exists()
    assert not SocialAccount.objects.filter(uid="rita-42").exists()
