"""A requester sees only their own (and watched) tickets, and never a work note."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from itsm.core.exceptions import PermissionRefused
from tests.factories.tickets import make_ticket
from tickets import services

pytestmark = pytest.mark.django_db

SECRET = "internal-only: the root password is hunter2"


@pytest.fixture
def others_ticket(other_requester, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(requester=other_requester, short_description="Payroll export fails")
    services.comment_add(
        ticket=ticket,
        author=agent,
        body="Looking at it",
        is_public=True,
        files=[SimpleUploadedFile("log.txt", b"private log")],
    )
    return ticket


@pytest.fixture
def own_ticket_with_note(requester, agent):
    ticket = make_ticket(requester=requester)
    services.comment_add(ticket=ticket, author=agent, body=SECRET, is_public=False)
    services.comment_add(ticket=ticket, author=agent, body="We are on it", is_public=True)
    return ticket


@pytest.mark.parametrize(
    "url",
    [
        "/portal/tickets/{number}/",
        "/api/v1/incidents/{number}/",
        "/api/v1/incidents/{number}/comments/",
    ],
)
def test_requester_gets_404_for_someone_elses_ticket(client_as, requester, others_ticket, url):
    response = client_as(requester).get(url.format(number=others_ticket.number))
    assert response.status_code == 404
    assert others_ticket.short_description not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/portal/tickets/{number}/reply/", {"body": "me too"}),
        ("post", "/portal/tickets/{number}/withdraw/", {}),
        ("post", "/api/v1/incidents/{number}/comments/", {"body": "hi"}),
        (
            "post",
            "/api/v1/incidents/{number}/transition/",
            {"to_status": "cancelled", "version": 1, "reason": "x"},
        ),
    ],
)
def test_requester_cannot_change_someone_elses_ticket(
    client_as, requester, others_ticket, method, url, data
):
    others_ticket.refresh_from_db()  # in progress: the agent's reply started work on it
    status = others_ticket.status
    response = getattr(client_as(requester), method)(url.format(number=others_ticket.number), data)
    assert response.status_code == 404
    others_ticket.refresh_from_db()
    assert others_ticket.status == status
    assert others_ticket.comments.count() == 1


def test_requester_cannot_download_someone_elses_attachment(client_as, requester, others_ticket):
    attachment = others_ticket.attachments.get()
    assert client_as(requester).get(f"/attachments/{attachment.pk}/").status_code == 404


def test_attachments_download_as_files_never_inline(client_as, other_requester, others_ticket):
    attachment = others_ticket.attachments.get()
    response = client_as(other_requester).get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"


def test_work_notes_never_reach_the_requester_page_or_api(
    client_as, requester, own_ticket_with_note
):
    client = client_as(requester)
    page = client.get(f"/portal/tickets/{own_ticket_with_note.number}/").content.decode()
    assert "We are on it" in page
    assert SECRET not in page
    comments = client.get(f"/api/v1/incidents/{own_ticket_with_note.number}/comments/").json()
    assert [c["body"] for c in comments] == ["We are on it"]


def test_work_notes_never_reach_the_requester_by_email(
    requester, agent, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=requester)
        services.comment_add(ticket=ticket, author=agent, body=SECRET, is_public=False)
        services.comment_add(ticket=ticket, author=agent, body="Public answer", is_public=True)
    to_requester = [m for m in mailoutbox if requester.email in m.to]
    assert to_requester, "the requester should have been mailed"
    assert any("Public answer" in m.body for m in to_requester)
    for message in mailoutbox:
        assert SECRET not in message.body
        assert all(SECRET not in str(alt[0]) for alt in getattr(message, "alternatives", []))


def test_watchers_see_the_ticket_they_follow(client_as, requester, other_requester, agent):
    ticket = make_ticket(requester=other_requester)
    assert client_as(requester).get(f"/portal/tickets/{ticket.number}/").status_code == 404
    # A requester comes to follow another's ticket through the desk (her report was a
    # duplicate of it); she cannot start following a ticket she cannot see herself.
    with pytest.raises(PermissionRefused):
        services.ticket_watch(ticket=ticket, user=requester)
    mine = make_ticket(requester=requester, short_description="Same problem")
    services.ticket_mark_duplicate(ticket=mine, duplicate_of=ticket, actor=agent)
    assert client_as(requester).get(f"/portal/tickets/{ticket.number}/").status_code == 200


def test_requester_api_list_shows_only_their_tickets(api_as, requester, other_requester):
    mine = make_ticket(requester=requester)
    make_ticket(requester=other_requester)
    numbers = [t["number"] for t in api_as(requester).get("/api/v1/incidents/").json()["results"]]
    assert numbers == [mine.number]
