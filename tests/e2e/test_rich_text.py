"""Rich replies in the browser (issue 21): the Markdown editor's preview, canned responses
inserted with :: and filled for the ticket, an unknown placeholder refused on save, a pasted
image shown inline and downloaded as an attachment, the portal's reply box with the same
editor, and a Markdown XSS corpus that renders inert on desk and portal pages."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.core.test_rendering import xss_corpus
from tests.e2e.test_sign_in import sign_in
from tests.factories.tickets import make_ticket
from tests.tickets.test_rich_text import png_bytes
from tickets import services
from tickets.canned.services import canned_response_create
from tickets.models import Attachment, Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASTE_IMAGE = """([selector, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "screenshot.png", { type: "image/png" }));
  const box = document.querySelector(selector);
  box.focus();
  box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def open_desk_ticket(page, live_server, agent, ticket):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + f"/desk/tickets/{ticket.number}/")


def reply_box(page):
    return page.locator("#reply-form textarea[name=body]")


def test_preview_shows_the_rendered_reply(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    open_desk_ticket(page, live_server, agent, ticket)
    reply_box(page).fill("Please **restart** and read https://status.example.com")
    editor = page.locator("#reply-form .md-editor")
    editor.get_by_role("tab", name="Preview").click()
    preview = editor.locator(".md-preview")
    expect(preview.locator("strong")).to_have_text("restart")
    expect(preview.locator("a[href='https://status.example.com']")).to_be_visible()
    expect(reply_box(page)).to_be_hidden()
    editor.get_by_role("tab", name="Write").click()
    expect(reply_box(page)).to_be_focused()


def test_a_canned_response_is_inserted_with_its_placeholders_filled(
    live_server, page, agent, requester
):
    ticket = make_ticket(requester=requester)
    canned_response_create(
        actor=agent,
        title="VPN certificate renewed",
        body="Hello {{ requester_first_name }}, {{ ticket_number }} is fixed. — {{ agent_name }}",
        scope="personal",
    )
    open_desk_ticket(page, live_server, agent, ticket)
    box = reply_box(page)
    box.click()
    box.press_sequentially("Update: ::vpn")
    suggestions = page.locator("#reply-form .md-suggestions")
    expect(suggestions).to_contain_text("VPN certificate renewed")
    box.press("Enter")
    expected = f"Update: Hello Rita, {ticket.number} is fixed. — {agent}"
    expect(box).to_have_value(expected)
    expect(suggestions).to_be_hidden()
    page.locator("#reply-form button[type=submit]").first.click()
    expect(page.locator(".conversation .comment-body").last).to_have_text(expected)
    assert Comment.objects.get(ticket=ticket).body == expected


def test_ctrl_shift_c_opens_the_canned_responses(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester)
    canned_response_create(actor=agent, title="Thanks", body="Thank you!", scope="personal")
    open_desk_ticket(page, live_server, agent, ticket)
    box = reply_box(page)
    box.click()
    box.press("Control+Shift+C")
    expect(page.locator("#reply-form .md-suggestions")).to_contain_text("Thanks")
    page.locator("#reply-form .md-suggestions li", has_text="Thanks").click()
    expect(box).to_have_value("Thank you!")


def test_an_unknown_placeholder_is_refused_on_save_with_its_name(live_server, page, agent):
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/desk/canned-responses/")
    expect(page.get_by_text("No canned responses yet")).to_be_visible()
    page.get_by_role("button", name="New canned response").click()
    page.get_by_label("Title").fill("Greeting")
    page.get_by_label("Body").fill("Hi {{ caller_name }}, about {{ ticket_number }}")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#canned-form .md-write .form-error")
    expect(error).to_contain_text("Unknown placeholder: {{ caller_name }}.")
    expect(page.get_by_label("Body")).to_have_value(
        "Hi {{ caller_name }}, about {{ ticket_number }}"
    )
    page.get_by_label("Body").fill("Hi {{ requester_name }}, about {{ ticket_number }}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#canned-table")).to_contain_text("Greeting")


def test_a_pasted_image_shows_inline_and_downloads_as_an_attachment(
    live_server, page, agent, requester, media
):
    ticket = make_ticket(requester=requester)
    open_desk_ticket(page, live_server, agent, ticket)
    reply_box(page).fill("The error: ")
    page.evaluate(
        PASTE_IMAGE, ["#reply-form textarea[name=body]", base64.b64encode(png_bytes()).decode()]
    )
    expect(reply_box(page)).to_have_value(
        re.compile(r"The error: !\[screenshot\.png\]\(/attachments/\d+/\)")
    )
    image = Attachment.objects.get(ticket=ticket)
    page.locator("#reply-form button[type=submit]").first.click()
    inline = page.locator(f".conversation .comment-body img[src='/attachments/{image.pk}/']")
    expect(inline).to_be_visible()
    page.wait_for_function(
        "(src) => { const i = document.querySelector(`.comment-body img[src='${src}']`);"
        " return i && i.complete && i.naturalWidth > 0; }",
        arg=f"/attachments/{image.pk}/",
    )
    download = page.request.get(live_server.url + f"/attachments/{image.pk}/")
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    image.refresh_from_db()
    assert image.comment is not None and not image.is_pending_inline


def test_a_refused_paste_says_why_under_the_box(live_server, page, agent, requester, media):
    ticket = make_ticket(requester=requester)
    open_desk_ticket(page, live_server, agent, ticket)
    page.evaluate(
        PASTE_IMAGE,
        ["#reply-form textarea[name=body]", base64.b64encode(b"not a png at all").decode()],
    )
    expect(page.locator("#reply-form .md-status")).to_contain_text("screenshot.png")
    expect(reply_box(page)).to_have_value("")


def test_the_portal_reply_uses_the_editor(live_server, page, requester, media):
    ticket = make_ticket(requester=requester)
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + f"/portal/tickets/{ticket.number}/")
    box = page.locator(".reply-box textarea[name=body]")
    box.fill("It shows *this*:\n\n")
    page.evaluate(
        PASTE_IMAGE, [".reply-box textarea[name=body]", base64.b64encode(png_bytes()).decode()]
    )
    expect(box).to_have_value(re.compile(r"/attachments/\d+/\)$"))
    page.locator(".reply-box").get_by_role("tab", name="Preview").click()
    expect(page.locator(".reply-box .md-preview em")).to_have_text("this")
    page.get_by_role("button", name="Send reply").click()
    comment = page.locator(".conversation .comment-body").last
    expect(comment.locator("em")).to_have_text("this")
    expect(comment.locator("img")).to_be_visible()


def test_the_report_form_uses_the_editor(live_server, page, requester):
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + "/portal/tickets/report/")
    editor = page.locator(".md-editor")
    editor.locator("textarea").fill("Steps:\n\n1. open **Outlook**")
    editor.get_by_role("tab", name="Preview").click()
    expect(editor.locator(".md-preview strong")).to_have_text("Outlook")


def test_a_screenshot_pasted_into_the_report_shows_inline_on_the_new_ticket(
    live_server, page, requester, media
):
    """The report form has no ticket to upload to yet: the pasted image joins the form's
    files and the description shows it once the ticket exists."""
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + "/portal/tickets/report/")
    page.get_by_label("What is wrong?").fill("Outlook shows an error")
    box = page.locator(".md-editor textarea")
    box.fill("It says this:\n\n")
    page.evaluate(PASTE_IMAGE, [".md-editor textarea", base64.b64encode(png_bytes()).decode()])
    expect(box).to_have_value("It says this:\n\n![screenshot.png](attached:screenshot.png)")
    assert page.locator("input[type=file][name=attachments]").evaluate("i => i.files.length") == 1
    page.get_by_role("button", name="Send to the service desk").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outlook shows an error")
    image = Attachment.objects.get(original_name="screenshot.png")
    # Shown in the description and, as every screenshot of a report, in its attachments.
    shown = page.locator(f"img[src='/attachments/{image.pk}/']")
    expect(shown).to_have_count(2)
    expect(shown.first).to_be_visible()
    page.wait_for_function(
        "(src) => { const i = document.querySelector(`img[src='${src}']`);"
        " return i && i.complete && i.naturalWidth > 0; }",
        arg=f"/attachments/{image.pk}/",
    )
    description = image.ticket.description.replace("\r\n", "\n")  # as the browser sent it
    assert description == f"It says this:\n\n![screenshot.png](/attachments/{image.pk}/)"


# The inert check runs in the page: no script ran (no dialog, no page error, no flag set),
# and no live element of the conversation carries a handler or a dangerous URL.
DANGEROUS_MARKUP = """() => {
  const found = [];
  document.querySelectorAll(".conversation *, #ticket-description *, .markdown *").forEach((el) => {
    const tag = el.tagName.toLowerCase();
    if (["script", "iframe", "object", "embed", "svg", "math", "form", "style", "base", "meta"].includes(tag)) found.push(tag);
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (attr.name.startsWith("on") || attr.name === "style") found.push(tag + "[" + attr.name + "]");
      if (["href", "src"].includes(attr.name) && /^(javascript|data|vbscript):/.test(value)) found.push(tag + "[" + attr.name + "=" + attr.value + "]");
    }
  });
  return found;
}"""


def test_a_markdown_xss_corpus_in_replies_renders_inert(live_server, page, agent, requester):
    ticket = make_ticket(requester=requester, description="\n\n".join(xss_corpus()[:10]))
    for body in xss_corpus():
        services.comment_add(ticket=ticket, author=agent, body=body, is_public=True)
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_desk_ticket(page, live_server, agent, ticket)
    expect(page.locator(".conversation .comment-body")).to_have_count(len(xss_corpus()))
    # Hover and click everything that could carry a handler, as a curious reader would.
    for link in page.locator(".conversation .comment-body a").all()[:60]:
        link.hover()
    assert page.evaluate(DANGEROUS_MARKUP) == []
    page.context.clear_cookies()  # the portal, as the requester
    sign_in(page, live_server.url, requester.email)
    page.goto(live_server.url + f"/portal/tickets/{ticket.number}/")
    expect(page.locator(".conversation .comment-body")).to_have_count(len(xss_corpus()))
    assert page.evaluate(DANGEROUS_MARKUP) == []
    page.wait_for_timeout(300)  # an onerror fires when its image fails: give it the time
    assert dialogs == []
    assert errors == []
