"""Markdown → safe HTML: the one renderer of the product (knowledge articles, ticket
descriptions, replies, work notes, resolution notes and the e-mails that carry them).

Text is written by anyone (a requester's reply as much as an editor's article) and read by
others, so the rendered HTML is sanitised with nh3: an allow-list, no script, no event
handlers, no style, links only to http/https/mailto. Bare web addresses become links.

`images` says where an <img> may point:
- "any": any allowed URL (knowledge articles, written by editors);
- "attachments": only our own attachment download URL (/attachments/<id>/), which serves
  every file as a download with nosniff; an image elsewhere (a tracking pixel, a data: URL)
  is dropped;
- "none": no images (e-mail, where our attachment URL needs a signed-in browser).
"""

import functools
import re
import xml.etree.ElementTree as etree
from typing import Literal

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p",
    "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Our attachment download URL (tickets:attachment-download), relative, as the editor inserts it.
ATTACHMENT_SRC = re.compile(r"^/attachments/\d+/$")

# A bare web address in running text; trailing punctuation belongs to the sentence.
_BARE_URL = r"\bhttps?://[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?]"

ImagePolicy = Literal["any", "attachments", "none"]


class _BareUrlProcessor(markdown.inlinepatterns.InlineProcessor):
    def handleMatch(self, m, data):
        link = etree.Element("a")
        link.set("href", m.group(0))
        link.text = m.group(0)
        return link, m.start(0), m.end(0)


class _BareUrlExtension(markdown.Extension):
    def extendMarkdown(self, md):
        # Below links, autolinks and code spans: a URL already inside one is not seen again.
        md.inlinePatterns.register(_BareUrlProcessor(_BARE_URL, md), "bare_url", 5)


# A browser drops ASCII tabs and newlines anywhere in a URL and spaces and controls around
# it before reading the scheme: "java\tscript:" is javascript: to it, while the sanitiser
# takes it for a relative URL. Judge the scheme the way the browser will.
_URL_NOISE = re.compile(r"[\x00-\x20]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _url_filter(*, attachment_images_only: bool):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        scheme = _SCHEME.match(_URL_NOISE.sub("", value))
        if scheme and scheme[1].lower() not in URL_SCHEMES:
            return None
        if attachment_images_only and tag == "img" and not ATTACHMENT_SRC.match(value):
            return None
        return value

    return keep


def render_markdown(text: str, *, images: ImagePolicy = "any") -> SafeString:
    return mark_safe(_rendered(text or "", images))


# Rendering is a pure function of the text, and costs 0.5–1 ms for a few paragraphs: a
# ticket's description and replies are drawn again on every view of the ticket and every
# live refresh. Bounded, so a process keeps at most this many texts.
@functools.lru_cache(maxsize=512)
def _rendered(text: str, images: ImagePolicy) -> str:
    html = markdown.markdown(
        text, extensions=["fenced_code", "tables", "sane_lists", _BareUrlExtension()]
    )
    tags = ALLOWED_TAGS - {"img"} if images == "none" else ALLOWED_TAGS
    return nh3.clean(
        html,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_url_filter(attachment_images_only=images == "attachments"),
    )
