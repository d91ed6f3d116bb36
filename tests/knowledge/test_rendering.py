"""Markdown bodies are rendered inert: nothing a writer types can run in a reader's browser."""

import re
from html.parser import HTMLParser

import pytest

from knowledge.rendering import diff_html, headline_html, render_markdown

XSS_BODIES = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="java&#x09;script:alert(1)">entity tab</a>',
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">styled</div>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example/"><input name="password"></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '![x](x" onerror="alert(1))',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href='javascript:alert(1)//'>",
    '<details open ontoggle="alert(1)">x</details>',
]

FORBIDDEN_TAGS = {"script", "iframe", "svg", "object", "embed", "form", "input", "meta", "base",
                  "style", "math", "details", "link"}  # fmt: skip


class _Inspector(HTMLParser):
    """Collects what a browser would see as live markup (not text inside attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src") and value:
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                if scheme and scheme[1].lower() not in ("http", "https", "mailto"):
                    self.problems.append(f"{tag}[{name}={value}]")


def live_markup_problems(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("body", XSS_BODIES)
def test_an_xss_payload_in_a_markdown_body_renders_inert(body):
    html = render_markdown(f"Intro paragraph.\n\n{body}\n\nOutro.")
    assert live_markup_problems(html) == [], html
    assert "Intro paragraph." in html


def test_safe_links_keep_working_and_get_noopener():
    html = render_markdown("[Portal](https://portal.example.com) and <mailto:help@example.com>")
    assert 'href="https://portal.example.com"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "mailto:help@example.com" in html


def test_markdown_formatting_survives_sanitising():
    html = render_markdown("# Title\n\n* **bold**\n* `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    for tag in ("<h1>", "<strong>", "<code>", "<table>", "<td>"):
        assert tag in html


def test_a_search_headline_escapes_the_text_and_keeps_only_our_marks():
    html = headline_html("reset <script>alert(1)</script> your \x02password\x03 if a < b & c")
    assert "<script>" not in html and "script&gt;" not in html
    assert "if a &lt; b &amp; c" in html
    assert "<mark>password</mark>" in html


def test_a_search_headline_is_plain_text_without_markdown_syntax():
    raw = (
        "Summary — ## Steps\n1. Press **\x02Source\x03** twice.\n"
        "2. Read [the \x02guide\x03](https://example.com/a_b) and run `vpn_client`.\n"
        "> Note: ~~old~~ _new_ ![logo](logo.png)\n\n| a | b |\n|---|---|\n```bash"
    )
    html = headline_html(raw)
    assert html == (
        "Summary — Steps Press <mark>Source</mark> twice. Read the <mark>guide</mark> and run "
        "vpn_client. Note: old new logo a b"
    )


def test_a_diff_marks_insertions_and_deletions_and_escapes_the_text():
    html = diff_html(
        "Open the VPN client.\n<b>old</b>",
        "Open the Always-On VPN client.\n<b>old</b>",
        old_label="Version 1",
        new_label="Version 2",
    )
    assert "<table" in html and "<ins>" in html
    assert "<b>old</b>" not in html and "&lt;b&gt;old&lt;/b&gt;" in html
    assert "Version 1" in html and "Version 2" in html


def test_the_inspector_itself_catches_live_handlers_and_bad_schemes():
    problems = live_markup_problems('<img src="javascript:x" onerror="y"><script></script>')
    assert problems == ["img[src=javascript:x]", "img[onerror]", "<script>"]
