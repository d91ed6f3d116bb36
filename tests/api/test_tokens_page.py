"""The API tokens page: make a token (shown once), see them, revoke one; bad input is
answered next to its field. Reachable from the desk and the portal."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from itsm.apitokens.models import PersonalAccessToken
from tests.factories.apitokens import make_token

pytestmark = pytest.mark.django_db

PAGE = "/api-tokens/"


def _form(**fields):
    day = timezone.localdate() + timedelta(days=30)
    return {
        "name": "Report script",
        "scope": "read",
        "resources": ["tickets", "knowledge"],
        "expires_on": day.isoformat(),
    } | fields


@pytest.mark.parametrize(("who", "start"), [("agent", "/desk/"), ("requester", "/portal/")])
def test_the_page_is_linked_from_the_desk_and_the_portal(client_as, request, who, start):
    client = client_as(request.getfixturevalue(who))
    assert f'href="{PAGE}"' in client.get(start, follow=True).content.decode()
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No API tokens yet" in page.content.decode()


def test_making_a_token_shows_the_secret_once(client_as, requester):
    client = client_as(requester)
    made = client.post(PAGE, _form())
    assert made.status_code == 200
    token = PersonalAccessToken.objects.get(owner=requester)
    body = made.content.decode()
    secret = body.split('id="token-secret" readonly value="')[1].split('"')[0]
    assert token.key_hash == PersonalAccessToken.hash_secret(secret)
    assert "no-store" in made["Cache-Control"]
    assert token.resources == ["knowledge", "tickets"]
    assert token.expires_at == timezone.make_aware(
        timezone.datetime.combine(
            timezone.localdate() + timedelta(days=31), timezone.datetime.min.time()
        )
    )
    listed = client.get(PAGE).content.decode()
    assert "Report script" in listed
    assert token.prefix in listed
    assert secret not in listed


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Give the token a name"),
        ({"resources": []}, "resources", "Choose at least one part of the API"),
        (
            {"expires_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
            "expires_on",
            "Choose a day after today",
        ),
        (
            {"expires_on": (timezone.localdate() + timedelta(days=400)).isoformat()},
            "expires_on",
            "at most 365 days",
        ),
        ({"expires_on": ""}, "expires_on", "Choose when the token stops working"),
    ],
)
def test_bad_input_is_answered_next_to_its_field(client_as, agent, fields, field, message):
    answer = client_as(agent).post(PAGE, _form(**fields))
    assert answer.status_code == 400
    assert message in str(answer.context["form"].errors[field])
    assert message in answer.content.decode()
    assert not PersonalAccessToken.objects.exists()


def test_a_name_in_use_is_refused_next_to_the_name(client_as, agent):
    make_token(agent, name="Report script")
    answer = client_as(agent).post(PAGE, _form())
    assert answer.status_code == 400
    assert "already have a token of that name" in str(answer.context["form"].errors["name"])


def test_revoking_a_token(client_as, agent):
    token, _ = make_token(agent, name="Old script")
    client = client_as(agent)
    answer = client.post(f"{PAGE}{token.pk}/revoke/", follow=True)
    assert "“Old script” is revoked" in answer.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in answer.content.decode()
    assert client.get(f"{PAGE}{token.pk}/revoke/").status_code == 405


def test_nobody_revokes_someone_elses_token_on_the_page(client_as, agent, requester):
    theirs, _ = make_token(requester)
    assert client_as(agent).post(f"{PAGE}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_page_needs_sign_in(client):
    answer = client.get(PAGE)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_the_page_lists_in_a_fixed_number_of_queries(client_as, agent):
    client = client_as(agent)
    make_token(agent, name="one")
    client.get(PAGE)
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for number in range(5):
        make_token(agent, name=f"more {number}", scope="read")
    with CaptureQueriesContext(connection) as six:
        assert client.get(PAGE).content.decode().count("data-token=") == 6
    assert len(six) == len(one) <= 12
