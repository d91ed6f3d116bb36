import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.catalog import make_catalog_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIELDS = [
    ("model", "choice", True, ("13-inch", "15-inch")),
    ("needed_by", "date", True, ()),
    ("accessories", "multi_choice", False, ("Dock", "Headset")),
    ("reason", "long_text", False, ()),
]


def switch_user(page, base_url: str, email: str, *, lands_on: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base_url, email)
    # Wait for the landing page to finish loading: clicking the nav while its styles are
    # still arriving can hit the main column that briefly overlaps it.
    expect(page).to_have_url(base_url + lands_on)
    page.wait_for_load_state("load")


def test_a_request_is_ordered_approved_fulfilled_and_resolved(
    live_server, page, requester, manager, agent, service_desk_team
):
    requester.manager = manager
    requester.save()
    make_catalog_item(
        name="New laptop",
        fields=FIELDS,
        fulfilment_team=service_desk_team,
        requires_manager_approval=True,
        tasks=[
            ("Prepare laptop", service_desk_team, 1),
            ("Hand over laptop", service_desk_team, 2),
        ],
    )
    base = live_server.url

    # The requester orders from the catalog; a bad date is refused and the input is kept.
    sign_in(page, base, requester.email)
    expect(page).to_have_url(base + "/portal/")
    page.get_by_role("link", name="Catalog").click()
    page.get_by_role("link", name="New laptop").click()
    page.get_by_label("Model").select_option("15-inch")
    page.get_by_label("Dock").check()
    page.get_by_label("Reason").fill("My old one broke")
    page.get_by_role("button", name="Order").click()
    expect(page.get_by_role("alert")).to_contain_text("This field is required")
    expect(page.get_by_label("Reason")).to_have_value("My old one broke")
    page.get_by_label("Needed by").fill("2026-12-01")
    page.get_by_role("button", name="Order").click()
    expect(page).to_have_url(re.compile(r"/portal/catalog/requests/REQ\d{7}/$"))
    request_url = page.url
    expect(page.locator("#approval-state")).to_contain_text("Awaiting approval")

    # The manager approves on the approvals page.
    switch_user(page, base, manager.email, lands_on="/desk/")
    page.get_by_role("link", name="Approvals", exact=True).click()
    page.get_by_label("Comment").fill("Go ahead")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved")).to_be_visible()

    # The fulfilment agent completes both tasks, one step after the other.
    switch_user(page, base, agent.email, lands_on="/desk/")
    page.get_by_role("link", name="Tasks", exact=True).click()
    expect(page.get_by_text("Prepare laptop")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Complete TASK")).click()
    expect(page.get_by_text("Hand over laptop")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Complete TASK")).click()
    expect(page.get_by_text("No tasks here")).to_be_visible()

    # The requester sees the request resolved.
    switch_user(page, base, requester.email, lands_on="/portal/")
    page.goto(request_url)
    expect(page.locator("#request-status")).to_have_text("Resolved")
    expect(page.locator("#tasks")).to_contain_text("Done")


def test_the_desk_request_page_shows_approvals_and_tasks_and_dates_count_working_days(
    live_server, page, requester, manager
):
    """GIVEN a laptop needing five working days whose first task goes to a team of nobody
    WHEN the requester asks for it tomorrow, then in time, and the manager approves
    THEN tomorrow is refused with the earliest date, and the desk page of the request lists
    its approval and task and warns that nobody can pick the task up."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories.accounts import TeamFactory
    from tickets.catalog.forms import earliest_date
    from tickets.models import CatalogField

    requester.manager = manager
    requester.save()
    empty_team = TeamFactory(name="Workplace")
    item = make_catalog_item(
        name="New laptop",
        fields=FIELDS,
        requires_manager_approval=True,
        tasks=[("Image the laptop", empty_team, 1)],
    )
    CatalogField.objects.filter(item=item, name="needed_by").update(min_business_days=5)
    first = earliest_date(calendar=None, business_days=5)
    base = live_server.url

    sign_in(page, base, requester.email)
    expect(page).to_have_url(base + "/portal/")
    page.goto(base + "/portal/catalog/new-laptop/")
    page.get_by_label("Model").select_option("13-inch")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Needed by").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Order").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Choose {first:%A} {first.day} {first:%B %Y} or later: we need 5 working days."
    )
    page.get_by_label("Needed by").fill(first.isoformat())
    page.get_by_role("button", name="Order").click()
    expect(page).to_have_url(re.compile(r"/portal/catalog/requests/REQ\d{7}/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]

    switch_user(page, base, manager.email, lands_on="/desk/")
    page.goto(base + f"/desk/tickets/{number}/")
    approvals = page.locator("#request-approvals")
    expect(approvals).to_contain_text(manager.display_name)
    expect(approvals).to_contain_text("Awaiting approval")
    approvals.get_by_role("link", name="Decide").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved")).to_be_visible()

    page.goto(base + f"/desk/tickets/{number}/")
    tasks = page.locator("#request-tasks")
    expect(tasks).to_contain_text("Image the laptop")
    expect(tasks).to_contain_text("Workplace")
    expect(tasks).to_contain_text("Open")
    expect(page.locator(".task-team-empty")).to_contain_text("a team with no members")
