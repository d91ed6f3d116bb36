"""Brute force (django-axes): lockout per account and per address, one answer for every
failure (no account enumeration by message, status or timing), cool-off and admin unlock."""

import time
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.test import Client
from django.utils import timezone

from itsm.audit.models import AuditEvent
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = 0.25  # hours


def sign_in(client: Client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def error_of(response) -> str:
    form = response.context["form"]
    return str(form.non_field_errors()[0])


def test_account_is_locked_after_the_configured_failures_and_the_right_password_is_refused(
    client, agent
):
    for _ in range(LIMIT):
        assert sign_in(client, agent.email, "wrong").status_code == 200
    locked = sign_in(client, agent.email, TEST_PASSWORD)
    assert locked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "do not match an account" in error_of(locked)
    # From another address too: the account itself is locked.
    assert "_auth_user_id" not in Client().session
    other = sign_in(Client(), agent.email, TEST_PASSWORD, ip="10.9.9.9")
    assert "do not match an account" in error_of(other)


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, agent):
    for _ in range(LIMIT - 1):
        sign_in(client, agent.email, "wrong")
    response = sign_in(client, agent.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
    # A success clears the account's count (AXES_RESET_ON_SUCCESS).
    assert not AccessAttempt.objects.filter(username=agent.email).exists()


def test_one_address_is_locked_after_failures_across_many_accounts(client, agent, requester):
    for n in range(LIMIT):
        sign_in(client, f"guess{n}@example.com", "wrong", ip="10.6.6.6")
    refused = sign_in(client, requester.email, TEST_PASSWORD, ip="10.6.6.6")
    assert "do not match an account" in error_of(refused)
    # The same person from their own address is not affected.
    assert sign_in(Client(), requester.email, TEST_PASSWORD, ip="10.1.2.3").status_code == 302


def test_the_lock_counts_the_address_case_insensitively(client, agent):
    for n in range(LIMIT):
        sign_in(client, agent.email.upper() if n % 2 else agent.email, "wrong", ip=f"10.0.1.{n}")
    refused = sign_in(client, agent.email, TEST_PASSWORD, ip="10.0.2.1")
    assert "do not match an account" in error_of(refused)


def test_lockout_clears_after_the_cool_off(client, agent):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(LIMIT):
            sign_in(client, agent.email, "wrong")
        assert sign_in(client, agent.email, TEST_PASSWORD).status_code == 200
        traveller.shift(timedelta(minutes=14))
        assert sign_in(client, agent.email, TEST_PASSWORD).status_code == 200
        traveller.shift(timedelta(minutes=2))
        assert sign_in(client, agent.email, TEST_PASSWORD).status_code == 302


def test_same_message_and_status_for_unknown_known_and_locked_accounts(client, agent):
    unknown = sign_in(client, "nobody@example.com", "wrong", ip="10.0.0.2")
    known = sign_in(client, agent.email, "wrong", ip="10.0.0.3")
    for _ in range(LIMIT):
        sign_in(client, agent.email, "wrong", ip="10.0.0.4")
    locked = sign_in(client, agent.email, TEST_PASSWORD, ip="10.0.0.5")
    assert unknown.status_code == known.status_code == locked.status_code == 200
    assert error_of(unknown) == error_of(known) == error_of(locked)
    assert "do not match an account" in error_of(unknown)


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


class CountingHasher(PBKDF2PasswordHasher):
    """The real PBKDF2 hasher, fewer rounds (the test times it), counting its runs."""

    iterations = 600_000  # the hash dominates a sign-in's time, as in production
    runs = 0

    def encode(self, password, salt, iterations=None):
        CountingHasher.runs += 1
        return super().encode(password, salt, iterations)


def test_unknown_known_and_locked_accounts_cost_the_same_hashing(
    client, settings, agent, requester
):
    """GIVEN the real PBKDF2 hasher and one locked account
    WHEN signing in as an unknown account, a known one with a wrong password, and the locked one
    THEN each runs the hasher once and takes about as long: the fastest runs within a factor
    of 2 on a shared machine, where a skipped hash would be 4 times faster or more."""
    settings.PASSWORD_HASHERS = ["tests.accounts.test_lockout.CountingHasher"]
    for person in (agent, requester):  # stored with this hasher, as production stores all
        person.set_password(TEST_PASSWORD)
        person.save()
    for _ in range(LIMIT):
        sign_in(client, requester.email, "wrong", ip="10.0.3.1")

    def measure(case: int, email: str, password: str) -> tuple[set[int], float]:
        runs, times = set(), []
        for attempt in range(LIMIT - 1):  # below the limit: the known account stays open
            before = CountingHasher.runs
            started = time.perf_counter()
            response = sign_in(Client(), email, password, ip=f"10.0.{case}.{attempt + 1}")
            times.append(time.perf_counter() - started)
            runs.add(CountingHasher.runs - before)
            assert "do not match an account" in error_of(response)
        return runs, min(times)  # the least disturbed run: the machine is shared

    unknown_runs, unknown_s = measure(4, "nobody@example.com", "wrong")
    known_runs, known_s = measure(5, agent.email, "wrong")
    locked_runs, locked_s = measure(6, requester.email, TEST_PASSWORD)
    hash_s = min(_timed(lambda: make_password("wrong")) for _ in range(3))
    print(
        f"hasher runs unknown/known/locked: {unknown_runs}/{known_runs}/{locked_runs}; "
        f"fastest seconds: {unknown_s:.3f}/{known_s:.3f}/{locked_s:.3f}; one hash {hash_s:.3f}"
    )
    assert unknown_runs == known_runs == locked_runs == {1}
    fastest, slowest = min(unknown_s, known_s, locked_s), max(unknown_s, known_s, locked_s)
    assert fastest > 0.8 * hash_s  # every answer waited for a hash
    assert slowest / fastest < 2


def test_an_administrator_unlocks_an_account_from_the_admin_and_it_is_audited(
    client, agent, admin_user
):
    for _ in range(LIMIT):
        sign_in(client, agent.email, "wrong", ip="10.0.7.1")
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "clear_signin_lockout", "_selected_action": [agent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Sign-in lockout cleared for 1 person" in response.content.decode()
    assert sign_in(Client(), agent.email, TEST_PASSWORD, ip="10.0.7.2").status_code == 302
    event = AuditEvent.objects.get(record_id=agent.pk, action="lockout_cleared")
    assert event.actor == admin_user


def test_failures_and_the_lockout_are_on_the_persons_audit_trail(client, agent):
    for _ in range(LIMIT + 1):
        sign_in(client, agent.email, "wrong", ip="10.0.8.1")
    actions = list(
        AuditEvent.objects.filter(record_id=agent.pk, action__startswith="signin_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    # The failure that reached the limit, and the one refused after it, read "locked out".
    assert actions == ["signin_failed"] * (LIMIT - 1) + ["signin_locked_out"] * 2
    assert "From 10.0.8.1" in AuditEvent.objects.filter(record_id=agent.pk).last().message


def test_an_address_behind_the_proxies_is_the_one_they_added(client, settings, agent):
    settings.ITSM_PROXY_COUNT = 1
    for n in range(LIMIT):
        # The client makes up the left part; the proxy appends the real address.
        client.post(
            "/accounts/login/",
            {"login": f"guess{n}@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 10.0.9.9",
            REMOTE_ADDR="192.168.0.1",
        )
    assert AccessAttempt.objects.filter(ip_address="10.0.9.9").count() == LIMIT
