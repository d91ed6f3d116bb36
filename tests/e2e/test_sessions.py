"""The security page and "your sessions" as a person uses them: two browsers signed in, the
other one signed out from the sessions page; the lockout as the attacker and the owner see it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_out_their_other_browser_from_the_sessions_page(live_server, browser, agent):
    laptop = browser.new_context(user_agent="Mozilla/5.0 (X11; Linux) Laptop")
    phone = browser.new_context(
        user_agent="Mozilla/5.0 (Android) Phone", viewport={"width": 390, "height": 800}
    )
    here, there = laptop.new_page(), phone.new_page()
    sign_in(here, live_server.url, agent.email)
    sign_in(there, live_server.url, agent.email)
    expect(there).to_have_url(live_server.url + "/desk/")

    here.get_by_role("link", name="Security").click()
    expect(here.get_by_role("heading", level=1)).to_have_text("Security")
    expect(here.locator("table.security-events")).to_contain_text("Signed in")
    here.get_by_role("link", name="See and sign out sessions").click()
    rows = here.locator("table.sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Laptop")).to_contain_text("This browser")
    expect(rows.filter(has_text="Phone")).not_to_contain_text("This browser")
    here.get_by_role("button", name="Sign out other sessions").click()
    expect(rows).to_have_count(1)
    expect(here.get_by_text("This is the only browser signed in")).to_be_visible()

    there.reload()
    expect(there).to_have_url(live_server.url + "/accounts/login/?next=/desk/")
    here.get_by_role("link", name="Overview").click()
    expect(here.locator("table.security-events")).to_contain_text("Signed out other sessions")
    laptop.close()
    phone.close()


def test_after_too_many_failures_even_the_right_password_gets_the_same_message(
    live_server, page, settings, agent
):
    settings.AXES_FAILURE_LIMIT = 3

    def attempt(email: str, password: str) -> str:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page.get_by_role("alert").inner_text()

    unknown = attempt("nobody@example.com", "wrong")
    failures = [attempt(agent.email, "wrong") for _ in range(3)]
    locked = attempt(agent.email, TEST_PASSWORD)
    assert {unknown, locked, *failures} == {
        "That email address and password do not match an account. Passwords are case-sensitive."
    }
    expect(page).to_have_url(live_server.url + "/accounts/login/")
