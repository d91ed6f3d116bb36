"""A person makes an API token on the page, sees it once, uses it from a script (a separate
HTTP client, no browser session), and revokes it (issue #20)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from itsm.apitokens.models import PersonalAccessToken
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TICKETS = "Incidents, requests, catalog, tasks, approvals, major incidents"


def test_make_use_and_revoke_a_read_only_token(live_server, page, playwright, agent):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("No API tokens yet")).to_be_visible()

    # Wrong first: no name, no part of the API, a day in the past. Each is said at its field.
    page.get_by_label("Expires on").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Make token").click()
    expect(page.locator("div", has=page.locator("#id_name")).locator(".form-error")).to_have_text(
        "Give the token a name, so you know later what uses it."
    )
    expect(
        page.locator("div", has=page.locator("#id_expires_on")).locator(".form-error")
    ).to_contain_text("Choose a day after")
    expect(page.get_by_role("group", name="Parts of the API")).to_contain_text(
        "Choose at least one part of the API."
    )
    assert not PersonalAccessToken.objects.exists()

    page.get_by_label("Name").fill("Morning report")
    page.get_by_label("Read only").check()
    page.get_by_label(TICKETS).check()
    page.get_by_label("Expires on").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("itsm_pat_")

    page.get_by_role("link", name="Back to your API tokens").click()
    row = page.locator("tr", has_text="Morning report")
    expect(row).to_contain_text("Read only")
    expect(row).to_contain_text("Never")
    assert secret not in page.content()  # shown once, never again

    script = playwright.request.new_context(
        base_url=live_server.url, extra_http_headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        assert script.get("/api/v1/incidents/").status == 200
        write = script.post("/api/v1/incidents/", data={"title": "From a script"})
        assert write.status == 403
        assert write.json()["detail"].startswith("This token is read-only")
        other = script.get("/api/v1/changes/")
        assert other.status == 403
        assert "“changes”" in other.json()["detail"]

        page.reload()
        expect(row).not_to_contain_text("Never")  # the use is on the page
        row.get_by_role("button", name="Revoke").click()
        expect(page.locator(".messages")).to_contain_text("“Morning report” is revoked")
        expect(page.locator("tr", has_text="Morning report")).to_contain_text("Revoked")
        revoked = script.get("/api/v1/incidents/")
        assert revoked.status == 401
        assert revoked.json()["detail"] == "This API token was revoked."
    finally:
        script.dispose()


def test_the_page_works_on_a_phone(live_server, page, requester):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + "/api-tokens/")
    page.get_by_label("Name").fill("Phone")
    page.get_by_label(TICKETS).check()
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
