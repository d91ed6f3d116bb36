"""An administrator handles privacy requests in the browser (issue 20): finds the person,
downloads everything about them as a ZIP, and erases them; the person's name is then gone
from their tickets while the dashboards' figures stay the same."""

import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from itsm.dashboards.rollup import dashboard_rollup_refresh
from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIGURES = ("volume_channel", "backlog_age", "created_resolved", "volume_category")


@pytest.fixture
def ritas_ticket(settings, tmp_path, requester, agent):
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(
        requester=requester,
        short_description="Monitor flickers",
        description="Rita Requester here: my monitor flickers since Monday.",
        files=[SimpleUploadedFile("flicker.txt", b"it flickers at 60 Hz")],
    )
    services.comment_add(
        ticket=ticket, author=requester, body="I am in room 4.12, Rita", is_public=True
    )
    services.comment_add(ticket=ticket, author=agent, body="Swapping the cable.", is_public=True)
    dashboard_rollup_refresh()
    return ticket


def figures(page, base_url):
    return {
        metric: page.request.get(f"{base_url}/dashboards/api/{metric}.json").json()
        for metric in FIGURES
    }


def test_admin_exports_then_erases_a_person(
    live_server, page, admin_user, requester, ritas_ticket, tmp_path
):
    base = live_server.url
    sign_in(page, base, admin_user.email)
    page.goto(base + "/desk/")
    page.get_by_role("link", name="Privacy requests").click()
    page.get_by_label("Name or e-mail address").fill("rita@")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Rita Requester").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rita Requester")
    expect(page.locator(".privacy-holdings")).to_contain_text("Files they uploaded")

    # Export: one ZIP with person.json and her file.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download everything (ZIP)").click()
    path = tmp_path / "export.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("person.json"))
        files = [name for name in archive.namelist() if name.startswith("attachments/")]
        assert [archive.read(name) for name in files] == [b"it flickers at 60 Hz"]
    assert data["profile"][0]["display_name"] == "Rita Requester"
    assert [t["number"] for t in data["tickets_requested"]] == [ritas_ticket.number]
    assert [c["body"] for c in data["comments_written"]] == ["I am in room 4.12, Rita"]

    before = figures(page, base)
    assert before["backlog_age"]["summary"] == [{"label": "Open backlog", "value": 1}]

    # Erase: a wrong confirmation is refused next to the field, nothing happens.
    page.get_by_role("button", name="Erase this person…").click()
    box = page.get_by_label("Type the person's e-mail address to confirm")
    box.fill("omar@example.com")
    page.get_by_role("button", name="Erase Rita Requester").click()
    expect(page.locator(".form-error")).to_contain_text(
        "That is not Rita Requester's e-mail address"
    )
    expect(page.get_by_label("Type the person's e-mail address to confirm")).to_have_value(
        "omar@example.com"
    )
    box = page.get_by_label("Type the person's e-mail address to confirm")
    box.fill("rita@example.com")
    page.get_by_role("button", name="Erase Rita Requester").click()
    pseudonym = f"Erased person {requester.pk}"
    expect(page.get_by_role("alert").or_(page.locator(".flash-success"))).to_contain_text(
        f"now shown as “{pseudonym}”"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(pseudonym)
    expect(page.get_by_role("button", name="Erase this person…")).to_have_count(0)

    # Her ticket no longer names her, her words and file are gone; the agent's reply stays.
    page.goto(base + f"/desk/tickets/{ritas_ticket.number}/")
    main = page.locator("#main")
    expect(main).to_contain_text(pseudonym)
    expect(main).to_contain_text("Swapping the cable.")
    expect(main).to_contain_text("[removed at the person's request]")
    for text in ("Rita", "rita@example.com", "room 4.12", "flicker.txt"):
        expect(main).not_to_contain_text(text)

    # The dashboards count the same tickets, the same way (after the rollup's next run).
    dashboard_rollup_refresh()
    assert figures(page, base) == before


def test_privacy_pages_are_for_administrators_only(live_server, page, manager, requester):
    sign_in(page, live_server.url, manager.email)
    expect(page.get_by_role("link", name="Privacy requests")).to_have_count(0)
    response = page.goto(live_server.url + f"/desk/privacy/people/{requester.pk}/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")


def test_privacy_pages_fit_a_phone(live_server, page, admin_user, requester):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, admin_user.email)
    for path in ("/desk/privacy/?q=example.com", f"/desk/privacy/people/{requester.pk}/",
                 f"/desk/privacy/people/{requester.pk}/erase/"):  # fmt: skip
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    button = page.get_by_role("button", name="Erase Rita Requester")
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
