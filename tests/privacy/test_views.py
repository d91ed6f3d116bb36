"""The privacy page's refusals: administrators only, POST only for the download, the typed
confirmation must match, and one's own account cannot be erased."""

import pytest

from itsm.accounts.models import User
from itsm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "people/{pk}/"),
        ("post", "people/{pk}/export/"),
        ("get", "people/{pk}/erase/"),
    ],
)
def test_a_manager_is_refused_every_privacy_page(client_as, manager, requester, method, path):
    url = "/desk/privacy/" + path.format(pk=requester.pk)
    response = getattr(client_as(manager), method)(url)
    assert response.status_code == 403


def test_a_requester_never_reaches_the_desk_page(client_as, requester):
    assert client_as(requester).get("/desk/privacy/").status_code == 403


def test_the_download_is_post_only_and_a_zip(client_as, admin_user, requester):
    client = client_as(admin_user)
    assert client.get(f"/desk/privacy/people/{requester.pk}/export/").status_code == 405
    response = client.post(f"/desk/privacy/people/{requester.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="person-')
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_a_wrong_confirmation_is_400_and_erases_nothing(client_as, admin_user, requester):
    response = client_as(admin_user).post(
        f"/desk/privacy/people/{requester.pk}/erase/", {"confirm_email": "someone@example.com"}
    )
    assert response.status_code == 400
    assert "That is not Rita Requester&#x27;s e-mail address" in response.content.decode()
    assert User.objects.get(pk=requester.pk).display_name == "Rita Requester"
    assert not AuditEvent.objects.filter(action="personal_data_erased").exists()


def test_erasing_oneself_is_refused_with_a_message(client_as, admin_user):
    response = client_as(admin_user).post(
        f"/desk/privacy/people/{admin_user.pk}/erase/", {"confirm_email": admin_user.email}
    )
    assert response.status_code == 400
    assert "You cannot erase your own account" in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).is_active


def test_an_unknown_person_is_404(client_as, admin_user):
    assert client_as(admin_user).get("/desk/privacy/people/999999/").status_code == 404


def test_search_finds_by_part_of_the_address(client_as, admin_user, requester, other_requester):
    response = client_as(admin_user).get("/desk/privacy/", {"q": "rita@"})
    body = response.content.decode()
    assert "Rita Requester" in body and "Omar Employee" not in body


def test_the_admin_user_page_links_to_the_privacy_page(client_as, admin_user, requester):
    body = client_as(admin_user).get(f"/admin/accounts/user/{requester.pk}/change/").content
    assert f'href="/desk/privacy/people/{requester.pk}/"'.encode() in body
