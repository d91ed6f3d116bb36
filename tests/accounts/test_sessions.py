"""Sessions: rotated on sign-in, idle timeout and absolute lifetime, "your sessions" with
sign-out of others, everywhere else signed out on a password change or reset and on a role
change; the security page lists the person's sign-in activity."""

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from itsm.accounts import receivers
from itsm.accounts.middleware import current_request
from itsm.accounts.roles import Role
from itsm.audit.models import AuditEvent
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-long-passphrase-42"


def signed_in_client(email: str, password: str = TEST_PASSWORD, agent: str = "Firefox") -> Client:
    client = Client(HTTP_USER_AGENT=f"Mozilla/5.0 {agent}")
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/accounts/security/").status_code == 200


def test_sign_in_gives_the_session_a_new_key(client, agent):
    session = client.session
    session["before"] = "sign-in"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    client.post("/accounts/login/", {"login": agent.email, "password": TEST_PASSWORD})
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_session_ends_after_the_idle_timeout(settings, agent):
    settings.ITSM_SESSION_IDLE_SECONDS = 30 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(agent.email)
        traveller.shift(timedelta(minutes=29))
        assert client.get("/desk/").status_code == 200
        traveller.shift(timedelta(minutes=29))  # 29 minutes after the last request
        assert client.get("/desk/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desk/"
    assert not is_signed_in(client)
    event = AuditEvent.objects.filter(record_id=agent.pk, action="signed_out").get()
    assert "without activity" in event.message


def test_a_busy_session_still_ends_at_its_absolute_lifetime(settings, agent):
    settings.SESSION_COOKIE_AGE = 2 * 3600
    settings.ITSM_SESSION_IDLE_SECONDS = 30 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(agent.email)
        for _ in range(7):  # a request every 17 minutes: never idle
            traveller.shift(timedelta(minutes=17))
            assert client.get("/desk/").status_code == 200
        traveller.shift(timedelta(minutes=17))  # 2 h 16 min after signing in
        response = client.get("/desk/")
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_the_api_answers_401_for_an_expired_session(settings, agent):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(agent.email)
        traveller.shift(timedelta(seconds=settings.ITSM_SESSION_IDLE_SECONDS + 1))
        response = client.get("/api/v1/incidents/")
    assert response.status_code == 401


def test_last_seen_is_kept_at_most_once_a_minute(agent):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(agent.email)
        row = UserSession.objects.get(user=agent)
        traveller.shift(timedelta(minutes=5))
        client.get("/desk/")
        row.refresh_from_db()
        assert row.last_seen_at == timezone.now()


def test_the_sessions_page_lists_each_browser_and_signs_the_others_out(agent):
    here = signed_in_client(agent.email, agent="Firefox")
    there = signed_in_client(agent.email, agent="Chromium")
    page = here.get("/accounts/sessions/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Mozilla/5.0 Firefox" in html and "Mozilla/5.0 Chromium" in html
    assert html.count("This browser") == 2  # the column's label, and this session's badge
    response = here.post("/accounts/sessions/")
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(there)
    event = AuditEvent.objects.get(record_id=agent.pk, action="sessions_ended")
    assert "Signed out 1 other session" in event.message


def test_a_password_change_signs_out_every_other_session(agent, django_capture_on_commit_callbacks):
    here = signed_in_client(agent.email)
    there = signed_in_client(agent.email, agent="Chromium")
    page = here.get("/accounts/password/change/").content.decode()
    assert "signs you out of every other browser" in page
    mismatch = here.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert 'class="form-error"' in mismatch.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            "/accounts/password/change/",
            {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(there)
    assert UserSession.objects.filter(user=agent).count() == 1
    assert AuditEvent.objects.filter(record_id=agent.pk, action="password_changed").exists()


def test_a_role_added_or_removed_ends_that_persons_sessions(
    agent, django_capture_on_commit_callbacks
):
    there = signed_in_client(agent.email)
    with django_capture_on_commit_callbacks(execute=True):
        agent.groups.add(Group.objects.get(name=Role.SERVICE_DESK_MANAGER))
    assert not is_signed_in(there)
    again = signed_in_client(agent.email)
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=Role.AGENT).user_set.remove(agent)
    assert not is_signed_in(again)


def test_a_role_change_made_by_the_person_themselves_keeps_their_session_with_a_new_key(
    agent, django_capture_on_commit_callbacks
):
    here = signed_in_client(agent.email)
    other = signed_in_client(agent.email, agent="Chromium")
    key = here.session.session_key
    request = RequestFactory().get("/")
    request.user = agent
    request.session = here.session
    token = current_request.set(request)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            receivers.on_roles_changed(
                sender=None, instance=agent, action="post_add", pk_set={1}, reverse=False
            )
    finally:
        current_request.reset(token)
    new_key = request.session.session_key
    assert new_key != key
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.filter(user=agent).get().session_key == new_key
    assert not is_signed_in(other)


def test_the_security_page_lists_the_persons_sign_in_activity(agent):
    Client().post("/accounts/login/", {"login": agent.email, "password": "wrong"})
    client = signed_in_client(agent.email)
    page = client.get("/accounts/security/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign-in failed: wrong password" in html
    assert "Signed in" in html
    assert "From 127.0.0.1" in html
    # The desk's layout for staff, with the security tabs.
    assert 'aria-label="Workspace"' in html
    assert 'href="/accounts/2fa/"' in html


def test_the_security_page_costs_the_same_queries_for_few_and_many_events(
    settings, agent, django_assert_num_queries
):
    settings.AXES_FAILURE_LIMIT = 100
    client = signed_in_client(agent.email)
    client.get("/accounts/security/")
    # Session, user, factors, session count, events (the roles: cached).
    with django_assert_num_queries(5):
        client.get("/accounts/security/")
    for n in range(20):
        Client().post(
            "/accounts/login/",
            {"login": agent.email, "password": "wrong"},
            REMOTE_ADDR=f"10.1.0.{n}",
        )
    client2 = signed_in_client(agent.email)  # a fresh sign-in after the failures
    client2.get("/accounts/security/")
    with django_assert_num_queries(5):
        assert "10.1.0.19" in client2.get("/accounts/security/").content.decode()


def test_requesters_see_the_security_page_in_the_portal(requester):
    html = signed_in_client(requester.email).get("/accounts/security/").content.decode()
    assert 'aria-label="Portal"' in html
    assert "Security" in html


def test_a_password_reset_by_mail_signs_out_every_session(
    requester, mailoutbox, django_capture_on_commit_callbacks
):
    there = signed_in_client(requester.email)
    visitor = Client()
    visitor.post("/accounts/password-reset/", {"email": requester.email})
    link = next(
        line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/key/" in line
    ).strip()
    form_page = visitor.get(link[link.index("/accounts/") :], follow=True)
    assert form_page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = visitor.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert done.status_code == 302
    assert not is_signed_in(there)
    assert AuditEvent.objects.filter(record_id=requester.pk, action="password_reset").exists()
    assert signed_in_client(requester.email, NEW_PASSWORD)


def test_an_administrator_making_someone_superuser_ends_their_sessions(
    agent, admin_user, django_capture_on_commit_callbacks
):
    there = signed_in_client(agent.email)
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/admin/accounts/user/{agent.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "last_login", "groups"}
    }
    data.update(
        {
            "is_superuser": "on",
            "is_active": "on",
            "groups": [g.pk for g in agent.groups.all()],
            "date_joined_0": agent.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": agent.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("is_staff", None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/accounts/user/{agent.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not is_signed_in(there)


def test_a_password_an_administrator_sets_ends_the_persons_sessions(
    agent, admin_user, django_capture_on_commit_callbacks
):
    there = signed_in_client(agent.email)
    admin = Client()
    admin.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin/accounts/user/{agent.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
    assert response.status_code == 302, response.context["form"].errors
    assert not is_signed_in(there)
    assert is_signed_in(admin)
    event = AuditEvent.objects.filter(record_id=agent.pk, action="password_reset").get()
    assert event.actor == admin_user
    signed_in_client(agent.email, NEW_PASSWORD)
