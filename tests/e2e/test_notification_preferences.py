"""A person finds their email preferences from any page and opts out of non-essential mail."""

import pytest
from playwright.sync_api import expect

from itsm.notifications.models import NotificationPreference
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPT_IN = "Send me non-essential emails"


@pytest.mark.parametrize("who", ["requester", "agent"])
def test_a_person_opts_out_of_non_essential_email(live_server, page, request, who):
    person = request.getfixturevalue(who)
    sign_in(page, live_server.url, person.email)
    start = "/portal/" if who == "requester" else "/desk/tickets/"
    page.goto(live_server.url + start)
    page.get_by_role("link", name="Email preferences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification preferences")

    expect(page.get_by_label(OPT_IN)).to_be_checked()  # everyone starts opted in
    page.get_by_label(OPT_IN).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your notification preferences are saved")
    expect(page.get_by_label(OPT_IN)).not_to_be_checked()  # the page shows what was stored
    assert not NotificationPreference.objects.get(user=person).receive_non_essential
