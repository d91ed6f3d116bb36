"""Knowledge journeys in a real browser: draft → review → publish → found in the portal,
browsing by category, and revising a published article while it stays live."""

import pytest
from playwright.sync_api import expect

from itsm.accounts.roles import Role
from knowledge import services
from tests.factories.accounts import UserFactory
from tests.factories.knowledge import ArticleFactory, CategoryFactory

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
    expect(page.locator(".kb-result").first).not_to_contain_text("**")
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


def test_a_requester_browses_the_knowledge_base_by_category(live_server, page, requester):
    network = CategoryFactory(name="Network")
    CategoryFactory(name="Printing")
    ArticleFactory(title="Connect the VPN", category=network, view_count=40)
    ArticleFactory(title="Join the office Wi-Fi", category=network, view_count=10)
    ArticleFactory(title="Unlock your account", view_count=25)

    sign_in(page, live_server.url, requester.email)
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Knowledge base").click()
    nav = page.get_by_role("navigation", name="Portal")
    expect(nav.get_by_role("link", name="Knowledge base")).to_have_count(1)
    expect(nav.get_by_role("link", name="Articles")).to_have_count(0)
    expect(page.locator("#kb-categories")).to_contain_text("Network 2")
    expect(page.locator("#kb-categories")).not_to_contain_text("Printing")
    expect(page.locator("#kb-top li > a")).to_have_text(
        ["Connect the VPN", "Unlock your account", "Join the office Wi-Fi"]
    )
    page.locator("#kb-categories").get_by_role("link", name="Network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge base: Network")
    expect(page.locator("#kb-top li > a")).to_have_text(
        ["Connect the VPN", "Join the office Wi-Fi"]
    )
    page.get_by_role("link", name="Connect the VPN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connect the VPN")


def test_a_revision_leaves_the_published_article_live_until_a_second_editor_publishes_it(
    live_server, page, knowledge_editor, requester
):
    reviewer = UserFactory(
        email="rory@example.com", display_name="Rory Reviewer", roles=[Role.KNOWLEDGE_EDITOR]
    )
    article = services.article_create(
        actor=knowledge_editor,
        title="Reset your password",
        body="Open **Settings** and choose *Reset*.",
    )
    article = services.article_transition(
        article=article, actor=knowledge_editor, to_status="review", expected_version=1
    )
    services.article_transition(
        article=article, actor=reviewer, to_status="published", expected_version=article.version
    )
    portal_url = f"{live_server.url}/portal/knowledge/{article.number}/"

    sign_in(page, live_server.url, knowledge_editor.email)
    page.goto(f"{live_server.url}/desk/knowledge/{article.number}/")
    page.get_by_role("button", name="Revise").click()
    expect(page.locator("#revision-notice")).to_contain_text("Readers still see the published")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Body").fill("Use the **self-service portal** to reset it.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#revision-status")).to_have_text("Revision: In review")
    four_eyes = page.locator("#four-eyes")
    expect(four_eyes).to_contain_text("another knowledge editor must review and publish it")
    expect(four_eyes).to_contain_text("Rory Reviewer")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    sign_out(page)

    sign_in(page, live_server.url, requester.email)
    page.goto(portal_url)
    expect(page.locator(".kb-body strong")).to_have_text("Settings")
    page.goto(live_server.url + "/portal/knowledge/?q=settings")
    result = page.locator(".kb-result").first
    expect(result.get_by_role("link")).to_have_text("Reset your password")
    expect(result).not_to_contain_text("**")
    expect(result.locator("mark")).to_have_text("Settings")
    sign_out(page)

    sign_in(page, live_server.url, reviewer.email)
    page.goto(f"{live_server.url}/desk/knowledge/{article.number}/")
    expect(page.locator("#four-eyes")).to_have_count(0)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#revision-notice")).to_have_count(0)
    expect(page.locator("table")).to_contain_text("v2")
    sign_out(page)

    sign_in(page, live_server.url, requester.email)
    page.goto(portal_url)
    expect(page.locator(".kb-body strong")).to_have_text("self-service portal")
