"""The product's one Markdown renderer (itsm.core.rendering): a corpus of XSS tricks renders
inert, links become clickable, and images on tickets may only be our own attachments."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from itsm.core.rendering import render_markdown

CORPUS = Path(__file__).parents[1] / "fixtures" / "markdown" / "xss_corpus.txt"


def xss_corpus() -> list[str]:
    """The bodies of tests/fixtures/markdown/xss_corpus.txt (blocks between "----" lines)."""
    text = CORPUS.read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^----\n", text)[1:]
    return [block.rstrip("\n") for block in blocks if block.strip()]


FORBIDDEN_TAGS = {"script", "iframe", "svg", "object", "embed", "form", "input", "meta", "base",
                  "style", "math", "details", "link", "button", "textarea", "noscript", "video",
                  "audio", "source"}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Inspector(HTMLParser):
    """What a browser would treat as live markup: tags and attributes, not text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src") and value:
                # The browser strips tabs and newlines from URLs before reading the scheme.
                cleaned = re.sub(r"[\x00-\x20]", "", value)
                scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
                if scheme and scheme[1].lower() not in SAFE_SCHEMES:
                    self.problems.append(f"{tag}[{name}={value}]")
            if tag == "img" and name == "src":
                self.images.append(value or "")


def inspect(html: str) -> _Inspector:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector


def test_the_corpus_is_read():
    bodies = xss_corpus()
    assert len(bodies) >= 35
    assert "<script>alert(1)</script>" in bodies


@pytest.mark.parametrize("images", ["any", "attachments", "none"])
@pytest.mark.parametrize("body", xss_corpus())
def test_markdown_xss_corpus_renders_inert(body, images):
    assert inspect(render_markdown(body, images=images)).problems == []


@pytest.mark.parametrize("body", xss_corpus())
def test_ticket_images_come_only_from_our_attachment_url(body):
    found = inspect(render_markdown(body, images="attachments")).images
    assert all(re.fullmatch(r"/attachments/\d+/", src) for src in found), found


def test_an_attachment_image_is_kept_on_tickets():
    html = render_markdown("Screenshot: ![error.png](/attachments/42/)", images="attachments")
    assert '<img alt="error.png" src="/attachments/42/">' in html


def test_an_outside_image_loses_its_source_on_tickets():
    html = render_markdown("![pixel](https://tracker.example/p.gif)", images="attachments")
    assert "tracker.example" not in html


def test_e_mail_carries_no_images():
    assert "<img" not in render_markdown("![shot](/attachments/42/)", images="none")


def test_knowledge_articles_keep_outside_images():
    html = render_markdown("![diagram](https://docs.example/vpn.png)")
    assert 'src="https://docs.example/vpn.png"' in html


def test_bare_web_addresses_become_links_without_their_full_stop():
    html = render_markdown("See https://status.example.com/vpn. Then retry.")
    assert (
        '<a href="https://status.example.com/vpn" rel="noopener noreferrer">'
        "https://status.example.com/vpn</a>. Then retry." in html
    )


def test_addresses_in_links_and_code_are_not_linked_twice():
    html = render_markdown("[status](https://status.example.com) and `https://x.example`")
    assert html.count("<a ") == 1
    assert "<code>https://x.example</code>" in html


def test_markdown_formatting_is_rendered():
    html = render_markdown("**Restart** the client:\n\n1. Quit\n2. Start\n\n```\nvpn --reset\n```")
    assert "<strong>Restart</strong>" in html
    assert "<ol>" in html
    assert "<pre><code>vpn --reset" in html


def test_knowledge_re_exports_the_one_renderer():
    from knowledge import rendering

    assert rendering.render_markdown is render_markdown
