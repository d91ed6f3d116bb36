"""Knowledge journey in a real browser: draft → review → publish → found in the portal."""

import pytest
from playwright.sync_api import expect

from itsm.accounts.roles import Role
from tests.factories.accounts import UserFactory
from tests.factories.knowledge import ArticleFactory

from .test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_an_editor_drafts_a_reviewer_publishes_and_a_requester_finds_it(
    live_server, page, knowledge_editor, requester
):
    reviewer = UserFactory(
        email="rory@example.com", display_name="Rory Reviewer", roles=[Role.KNOWLEDGE_EDITOR]
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page, live_server.url, knowledge_editor.email)
    page.goto(live_server.url + "/desk/knowledge/new/")
    page.get_by_label("Title").fill("Fix the projector in room 4")
    page.get_by_label("Summary").fill("Switch the projector input to HDMI 2.")
    page.get_by_label("Body").fill("Press **Source** twice.\n\n<script>alert('xss')</script>")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fix the projector")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("In review")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    article_url = page.url
    sign_out(page)

    sign_in(page, live_server.url, reviewer.email)
    page.goto(article_url)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published")
    sign_out(page)

    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + "/portal/knowledge/")
    page.get_by_label("Search articles").fill("projector")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name="Fix the projector in room 4")
    expect(result).to_be_visible()
    expect(page.locator("mark").first).to_have_text("projector", ignore_case=True)
    result.click()
    expect(page.locator(".kb-body strong")).to_have_text("Source")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    assert dialogs == []


def test_an_article_full_of_xss_payloads_triggers_no_dialog(live_server, page, requester):
    article = ArticleFactory(
        title="Payload parade",
        body=(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
            '<svg onload="alert(3)"></svg>\n\n[click](javascript:alert(4))\n\n'
            '<iframe src="javascript:alert(5)"></iframe>\n\n'
            '<details open ontoggle="alert(6)">x</details>'
        ),
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server.url, requester.email)
    page.goto(f"{live_server.url}/portal/knowledge/{article.number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payload parade")
    page.get_by_text("click", exact=True).click()  # its javascript: href was stripped
    page.wait_for_timeout(300)
    assert dialogs == []
