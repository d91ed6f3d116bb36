"""Sign-in with the directory password against a real slapd (issue #20, part B)."""

import socket
import time

import pytest

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.audit.models import AuditEvent
from itsm.sso.config import ldap_connection_options
from itsm.sso.ldap import DIRECTORY_UNREACHABLE
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.sso import slapd
from tests.sso.conftest import DIRECTORY_PASSWORD, _directory_with_people, configure_ldap

pytestmark = pytest.mark.django_db

WRONG_PASSWORD_MESSAGE = "That email address and password do not match an account."


def sign_in(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_directory_password_signs_in_creates_the_account_and_maps_roles(client, ldap_settings):
    response = sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD)

    assert response.status_code == 302
    user = User.objects.get(email__iexact="lena.ldap@example.com")
    assert user.display_name == "Lena Ldap"
    assert not user.has_usable_password()  # the directory keeps the password
    assert roles_of(user) == {Role.AGENT}  # printer-users is in no map: ignored
    assert client.get("/").url == "/desk/"
    event = AuditEvent.objects.get(record_id=user.pk, action="signed_in_sso")
    assert event.message == "Signed in with the company directory"
    assert event.changes["roles_added"]["to"] == [Role.AGENT]


def test_a_group_given_by_dn_maps_to_several_roles(client, ldap_settings):
    assert sign_in(client, "max@example.com", DIRECTORY_PASSWORD).status_code == 302
    user = User.objects.get(email="max@example.com")
    assert roles_of(user) == {Role.SERVICE_DESK_MANAGER, Role.AGENT, Role.CAB_MEMBER}


def test_a_group_removed_in_the_directory_removes_the_role_and_leaves_unmapped_roles(
    client, settings
):
    directory = _directory_with_people()
    try:
        configure_ldap(settings, directory)
        assert sign_in(client, "max@example.com", DIRECTORY_PASSWORD).status_code == 302
        user = User.objects.get(email="max@example.com")
        user.groups.add(*user.groups.model.objects.filter(name=Role.KNOWLEDGE_EDITOR))
        directory.remove_member("itsm-cab", f"uid=max,{slapd.PEOPLE}")
        client.post("/accounts/logout/")

        assert sign_in(client, "max@example.com", DIRECTORY_PASSWORD).status_code == 302

        assert roles_of(user) == {Role.SERVICE_DESK_MANAGER, Role.AGENT, Role.KNOWLEDGE_EDITOR}
        last = AuditEvent.objects.filter(record_id=user.pk, action="signed_in_sso").last()
        assert last.changes == {"roles_removed": {"from": [Role.CAB_MEMBER], "to": None}}
    finally:
        directory.remove()


def test_the_directory_updates_name_and_address_on_later_sign_ins(client, ldap_settings):
    user = UserFactory(email="lena.ldap@example.com", display_name="Old Name", password=None)

    assert sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD).status_code == 302

    user.refresh_from_db()
    assert user.display_name == "Lena Ldap"
    assert User.objects.filter(email__iexact="lena.ldap@example.com").count() == 1


def test_wrong_directory_password_gets_the_same_message_as_a_wrong_local_password(
    client, ldap_settings, agent
):
    directory_answer = sign_in(client, "lena.ldap@example.com", "not-her-password")
    local_answer = sign_in(client, agent.email, "not-my-password")
    unknown_answer = sign_in(client, "nobody@example.com", "whatever")

    for response in (directory_answer, local_answer, unknown_answer):
        assert response.status_code == 200
        assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert not User.objects.filter(email__iexact="lena.ldap@example.com").exists()


def test_directory_down_local_accounts_still_sign_in_and_directory_users_get_a_plain_message(
    client, settings, agent
):
    directory = _directory_with_people()
    configure_ldap(settings, directory)
    directory.remove()  # the directory goes away

    refused = sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD)
    assert refused.status_code == 200
    assert DIRECTORY_UNREACHABLE in refused.content.decode()
    assert WRONG_PASSWORD_MESSAGE not in refused.content.decode()

    local = sign_in(client, agent.email, TEST_PASSWORD)
    assert local.status_code == 302
    assert client.get("/").url == "/desk/"


def test_starttls_with_the_directory_certificate(client, settings, directory):
    configure_ldap(settings, directory)
    settings.AUTH_LDAP_START_TLS = True
    settings.AUTH_LDAP_CONNECTION_OPTIONS = ldap_connection_options(
        timeout=3.0, ca_file=str(directory.cert)
    )
    assert sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD).status_code == 302


def test_starttls_refuses_a_certificate_it_cannot_verify(client, settings, directory, tmp_path):
    other_ca = _directory_with_people()
    try:
        configure_ldap(settings, directory)
        settings.AUTH_LDAP_START_TLS = True
        settings.AUTH_LDAP_CONNECTION_OPTIONS = ldap_connection_options(
            timeout=3.0, ca_file=str(other_ca.cert)
        )
        response = sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD)
        assert response.status_code == 200
        assert DIRECTORY_UNREACHABLE in response.content.decode()
        assert not User.objects.filter(email__iexact="lena.ldap@example.com").exists()
    finally:
        other_ca.remove()


def test_directory_sign_in_is_off_without_a_server_uri(client, settings, directory):
    configure_ldap(settings, directory)
    settings.AUTH_LDAP_SERVER_URI = ""
    response = sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD)
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert not User.objects.filter(email__iexact="lena.ldap@example.com").exists()


def test_a_directory_that_hangs_costs_the_timeout_and_gives_the_plain_message(
    client, settings, directory
):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        configure_ldap(settings, directory)
        settings.AUTH_LDAP_SERVER_URI = f"ldap://127.0.0.1:{silent.getsockname()[1]}"
        settings.AUTH_LDAP_CONNECTION_OPTIONS = ldap_connection_options(timeout=1.0, ca_file="")
        started = time.monotonic()
        response = sign_in(client, "lena.ldap@example.com", DIRECTORY_PASSWORD)
        took = time.monotonic() - started

    assert DIRECTORY_UNREACHABLE in response.content.decode()
    assert took < 5
