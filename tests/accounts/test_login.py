import pytest

from itsm.accounts.models import User
from tests.factories.accounts import TEST_PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("agent", "/desk/"),
        ("manager", "/desk/"),
        ("cab_member", "/desk/"),
        ("requester", "/portal/"),
    ],
)
def test_sign_in_lands_staff_in_the_desk_and_requesters_in_the_portal(
    client, request, persona, landing
):
    user = request.getfixturevalue(persona)
    response = client.post(
        "/accounts/login/", {"login": user.email.upper(), "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_plain_message(client, agent):
    response = client.post("/accounts/login/", {"login": agent.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


@pytest.mark.django_db
def test_requester_gets_403_in_the_desk(client_as, requester):
    response = client_as(requester).get("/desk/")
    assert response.status_code == 403
    assert "agent workspace is for service desk staff" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/desk/", "/portal/", "/dashboards/", "/desk/cmdb/services/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_sign_out_is_post_only_and_ends_the_session(client_as, agent):
    client = client_as(agent)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 302


@pytest.mark.django_db
def test_password_reset_sends_a_link_to_known_addresses_only(client, mailoutbox, requester):
    client.post("/accounts/password-reset/", {"email": requester.email})
    client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert mailoutbox[0].subject == "Reset your service desk password"


@pytest.mark.django_db
def test_email_is_the_login_and_stored_lower_case():
    user = User.objects.create_user(email="Mixed.Case@Example.COM", password="x", display_name="M")
    assert user.email == "mixed.case@example.com"
    assert User.objects.get_by_natural_key("MIXED.case@example.com") == user


@pytest.mark.django_db
def test_there_is_no_public_sign_up(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "closed" in response.content.decode().lower()
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
    )
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_people_cannot_change_their_login_address_themselves(client_as, requester):
    response = client_as(requester).get("/accounts/email/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/security/"


@pytest.mark.django_db
def test_the_sign_in_page_offers_passkeys_and_the_password_reset(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'autocomplete="username webauthn"' in html
    assert "Use a passkey instead" in html
    assert 'href="/accounts/password-reset/"' in html
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
