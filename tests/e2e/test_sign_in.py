import pytest
from playwright.sync_api import expect

from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_agent_signs_in_and_sees_the_workspace(live_server, page, agent):
    sign_in(page, live_server.url, agent.email)
    expect(page).to_have_url(live_server.url + "/desk/")
    expect(page.get_by_role("navigation", name="Workspace")).to_contain_text("Changes")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice")


def test_requester_signs_in_and_sees_the_portal(live_server, page, requester):
    sign_in(page, live_server.url, requester.email)
    expect(page).to_have_url(live_server.url + "/portal/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("How can we help")
    page.goto(live_server.url + "/desk/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")


def test_wrong_password_shows_a_plain_error(live_server, page, agent):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email address").fill(agent.email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
