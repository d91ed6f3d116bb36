"""The administrator's mailbox pages in a real browser, against a real Dovecot: creating a
mailbox (a bad port and a missing password answered next to their fields), the secret never
shown again, refused mail listed on the mailbox page, and a failing mailbox on the list."""

import uuid
from email import policy
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from tests.imap import PASSWORD
from tests.tickets.mail.conftest import (  # noqa: F401 (pytest fixtures used by name)
    corpus_message,
    crlf,
    dovecot,
    mail_settings,
    mailbox,
)
from tickets.mail.models import Mailbox
from tickets.mail.services import mail_process, mailbox_poll
from tickets.models import Ticket

from .test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _thousand_attachments() -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = "rita@example.com"
    message["Subject"] = "Thousand files"
    message["Message-ID"] = f"<thousand-{uuid.uuid4().hex}@mail.example.org>"
    message.set_content("See attached.")
    for n in range(1000):
        message.add_attachment(b"line\n", maintype="text", subtype="plain", filename=f"f{n}.txt")
    return crlf(message.as_bytes())


def test_an_administrator_sets_up_a_mailbox_and_sees_what_it_refused(
    live_server,
    page,
    admin_user,
    dovecot,  # noqa: F811
    mail_settings,  # noqa: F811
):
    folder = f"in-{uuid.uuid4().hex[:10]}"
    dovecot.create_folder(folder)
    sign_in(page, live_server.url, admin_user.email)
    page.get_by_role("link", name="Mailboxes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailboxes")
    expect(page.get_by_text("No mailbox yet")).to_be_visible()
    page.get_by_role("button", name="New mailbox").click()

    page.get_by_role("textbox", name="Name", exact=True).fill("Help desk")
    page.get_by_role("textbox", name="Address", exact=True).fill("help@example.com")
    page.get_by_label("Host").fill("127.0.0.1")
    page.get_by_label("Port").fill("70000")
    page.get_by_label("Security").select_option("starttls")
    page.get_by_label("Username").fill("desk")
    page.get_by_role("textbox", name="Folder", exact=True).fill(folder)
    page.get_by_label("Processed folder").fill(f"{folder}-done")
    page.get_by_role("button", name="Save").click()

    # Each problem next to its field, nothing saved, what was typed kept.
    expect(page.locator("#id_port ~ .form-error").first).to_have_text(
        "A port is a number from 1 to 65535."
    )
    expect(page.locator("#id_password ~ .form-error").first).to_have_text(
        "Enter the mailbox's password (or an OAuth2 token)."
    )
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Help desk")
    assert not Mailbox.objects.exists()

    page.get_by_label("Port").fill(str(dovecot.port))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Help desk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Working")
    expect(page.get_by_text("Nothing refused")).to_be_visible()
    assert PASSWORD not in page.content()
    box = Mailbox.objects.get()
    assert box.password == PASSWORD

    # The secret is never sent back; left blank, it is kept.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Password")).to_have_value("")
    assert PASSWORD not in page.content()
    page.get_by_role("textbox", name="Name", exact=True).fill("Help desk (IT)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Help desk (IT)")
    box.refresh_from_db()
    assert box.password == PASSWORD

    # Mail the desk cannot take: each refusal on the mailbox page with its reason.
    dovecot.append(corpus_message("33-garbage.eml"), folder=folder)
    dovecot.append(_thousand_attachments(), folder=folder)
    result = mailbox_poll(mailbox_id=box.pk)
    assert (result.processed, result.failed) == (2, 0)
    page.reload()
    rows = page.locator("#refusal-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#refusal-table")).to_contain_text("1,000 attachments")
    expect(page.locator("#refusal-table")).to_contain_text("no headers")

    # A mailbox that cannot be reached shows as failing, with its error and next retry.
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Port").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#mailbox-facts")).to_contain_text("127.0.0.1:1 ")  # saved
    mailbox_poll(mailbox_id=box.pk)
    page.get_by_role("link", name="Mailboxes").first.click()
    row = page.locator("#mailbox-table tbody tr")
    expect(row).to_contain_text("Failing")
    expect(row).to_contain_text("ConnectionRefusedError")
    row.get_by_role("link", name="Help desk (IT)").click()
    expect(page.locator("#mailbox-error")).to_contain_text("It is tried again")


def test_an_agent_is_not_shown_the_mailboxes(live_server, page, agent):
    sign_in(page, live_server.url, agent.email)
    expect(page.get_by_role("link", name="Mailboxes")).to_have_count(0)
    response = page.goto(live_server.url + "/desk/mailboxes/")
    assert response is not None and response.status == 403


def test_an_inline_screenshot_is_shown_in_the_conversation(
    live_server,
    page,
    agent,
    requester,
    dovecot,  # noqa: F811
    mailbox,  # noqa: F811
):
    from tests.tickets.mail.test_inline_images import reply_with_screenshot

    dovecot.append(corpus_message("16-inline-image-cid.eml"), folder=mailbox.folder)
    mailbox_poll(mailbox_id=mailbox.pk)
    ticket = Ticket.objects.get(channel="email")
    mail_process(mailbox=mailbox, raw=reply_with_screenshot(ticket.number))

    for person, url in (
        (agent, ticket.get_absolute_url()),
        (requester, f"/portal/tickets/{ticket.number}/"),
    ):
        sign_in(page, live_server.url, person.email)
        page.goto(live_server.url + url)
        images = page.locator(".attachment-preview img")
        expect(images).to_have_count(2)
        for n in range(2):
            # Decoded and drawn by the browser, from the attachment download URL.
            images.nth(n).scroll_into_view_if_needed()
            assert images.nth(n).evaluate("img => img.complete && img.naturalWidth") == 1
        expect(page.locator("#report-attachments")).to_contain_text("attachment-1.png")
        page.get_by_role("button", name="Sign out").click()


def test_the_mailbox_pages_fit_a_phone(live_server, page, admin_user):
    from tests.e2e.test_ticket_page_mobile import PHONE, _no_sideways_scroll

    box = Mailbox.objects.create(
        name="Help desk with a rather long name", address="help-with-a-long-address@example.com",
        host="imap.a-very-long-host-name.example.com", username="desk", password="x",
        state="failing", failure_count=3,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused " * 3,
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, admin_user.email)
    for url in (
        "/desk/mailboxes/",
        f"/desk/mailboxes/{box.pk}/",
        f"/desk/mailboxes/{box.pk}/edit/",
        "/desk/mailboxes/new/",
    ):
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _no_sideways_scroll(page)
