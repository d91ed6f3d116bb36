"""An agent logs time worked: with a work note, on its own, and sees the total; a bad value
is refused with the message next to the field, and nothing is logged."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tickets.models import TimeEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_logs_time_with_a_note_and_on_its_own(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester, short_description="Printer on 3rd floor jams")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    expect(page.locator("#time-total")).to_have_text("0 min")

    reply = page.locator("#reply-form")
    reply.get_by_label("Work note (agents only)").check()
    reply.get_by_label("Message").fill("Cleared the paper path, replaced the roller.")
    reply.get_by_label("Time worked (minutes)").fill("25")
    reply.get_by_role("button", name="Send").click()
    expect(page.locator(".comment-internal")).to_contain_text("replaced the roller")
    expect(page.locator("#time-total")).to_have_text("25 min")
    expect(page.locator("#time-entries")).to_contain_text(agent.display_name)

    # A bad value on its own: the message sits next to the field, nothing is logged.
    page.get_by_text("Log time", exact=True).first.click()
    panel = page.locator("#time-log-form")
    panel.get_by_label("Time worked (minutes)").fill("0")
    panel.get_by_role("button", name="Log time").click()
    error = panel.locator(".form-error")
    expect(error).to_have_text("Time worked must be at least 1 minute.")
    expect(page.locator("#time-total")).to_have_text("25 min")

    # Corrected, it is logged and the total follows.
    panel = page.locator("#time-log-form")
    panel.get_by_label("Time worked (minutes)").fill("50")
    panel.get_by_label("What you did").fill("Called the vendor")
    panel.get_by_role("button", name="Log time").click()
    expect(page.locator("#time-total")).to_have_text("1 h 15 min")
    expect(page.locator("#time-entries")).to_contain_text("Called the vendor")

    # The reply form refuses a bad value next to its field, and sends no reply.
    reply = page.locator("#reply-form")
    reply.get_by_label("Message").fill("This must not be sent.")
    reply.get_by_label("Time worked (minutes)").fill("5000")
    reply.get_by_role("button", name="Send").click()
    expect(page.locator("#reply-form .form-error")).to_contain_text("at most 1440 minutes")
    expect(page.locator("#reply-form").get_by_label("Message")).to_have_value(
        "This must not be sent."
    )

    assert sorted(TimeEntry.objects.values_list("minutes", flat=True)) == [25, 50]
    assert not ticket.comments.filter(body="This must not be sent.").exists()

    # A full reload shows the same total (the page, not only the fragment).
    page.reload()
    expect(page.locator("#time-total")).to_have_text("1 h 15 min")

    # The author corrects an entry in place; a bad value is refused next to its field.
    entry = TimeEntry.objects.get(minutes=25)
    page.locator(f"#time-entry-{entry.pk} summary", has_text="Edit").click()
    edit = page.locator(f"#time-edit-{entry.pk}")
    edit.get_by_label("Time worked (minutes)").fill("-1")
    edit.get_by_role("button", name="Save").click()
    expect(page.locator(f"#time-edit-{entry.pk} .form-error")).to_have_text(
        "Time worked must be at least 1 minute."
    )
    edit = page.locator(f"#time-edit-{entry.pk}")
    edit.get_by_label("Time worked (minutes)").fill("35")
    edit.get_by_role("button", name="Save").click()
    expect(page.locator("#time-total")).to_have_text("1 h 25 min")

    # An entry logged by mistake is removed by its author; the total follows.
    page.get_by_role("button", name="Remove 50 min logged").click()
    expect(page.locator("#time-total")).to_have_text("35 min")
    assert list(TimeEntry.objects.values_list("minutes", flat=True)) == [35]


def test_time_panel_fits_a_phone(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, agent.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")
    page.get_by_text("Log time", exact=True).first.click()
    panel = page.locator("#time-log-form")
    panel.get_by_label("Time worked (minutes)").fill("10")
    panel.get_by_role("button", name="Log time").click()
    expect(page.locator("#time-total")).to_have_text("10 min")
    box = page.locator("#time-worked").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
