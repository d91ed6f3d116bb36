"""Search headlines and version diffs → safe HTML. Article bodies go through the product's
one Markdown renderer (itsm.core.rendering), re-exported here for the knowledge app."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The product's one Markdown renderer lives in the platform (tickets and e-mails use it too).
from itsm.core.rendering import render_markdown

__all__ = ["diff_html", "headline_html", "render_markdown", "strip_markdown"]

# Postgres marks matches with these; they cannot occur in typed text, so after escaping the
# headline they are the only places where <mark> may appear.
HEADLINE_START = "\x02"
HEADLINE_STOP = "\x03"


_DIFF_SPAN = re.compile(r'<span class="diff_(add|sub|chg)">(.*?)</span>', re.DOTALL)
_DIFF_TAG = {"add": "ins", "sub": "del", "chg": "mark"}


# Markdown syntax, removed from search snippets (longest first where they overlap). Postgres
# cuts a snippet out of the Markdown source at arbitrary words, so a fragment may hold half
# a construct; rendering it would not help (and Python-Markdown uses \x02/\x03 itself).
_PLAIN_RULES = [
    (re.compile(r"```[^\s`]*|~~~[^\s~]*"), " "),  # code fences and their language
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)?"), r"\1"),  # links and images: their text
    (re.compile(r"!?\[([^\]]*)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"</?[A-Za-z][^<>]*>"), " "),  # raw HTML tags (their text stays, escaped)
    (re.compile(r"(?:^|(?<=\s))#{1,6}[ \t]+"), ""),  # headings (a snippet may start mid-line)
    (re.compile(r"(?m)^[ \t]*>[ \t]?"), ""),  # block quotes
    (re.compile(r"(?m)^[ \t]*(?:[-*+]|\d+[.)])[ \t]+"), ""),  # list items
    (re.compile(r"(?m)^[ \t|:-]*-{3,}[ \t|:-]*$"), ""),  # rules and table separators
    (re.compile(r"\*+|~~|`+|(?<!\w)_+|_+(?!\w)"), ""),  # emphasis and code spans
    (re.compile(r"\|"), " "),  # table cells
    (re.compile(r"\s+"), " "),
]


def strip_markdown(text: str) -> str:
    """Markdown source as plain text, for snippets: syntax removed, words kept."""
    for pattern, replacement in _PLAIN_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


def headline_html(raw: str | None) -> SafeString:
    """A search snippet as plain text with the matches in <mark>: Markdown syntax removed,
    everything else escaped, so only our own marks are markup."""
    text = escape(strip_markdown((raw or "").replace("\x00", "")))
    return mark_safe(text.replace(HEADLINE_START, "<mark>").replace(HEADLINE_STOP, "</mark>"))


def diff_html(old: str, new: str, *, old_label: str, new_label: str) -> SafeString:
    """A side-by-side line diff as an HTML table (difflib), changed words in <ins>/<del>."""
    table = difflib.HtmlDiff(wrapcolumn=80).make_table(
        (old or "").splitlines(), (new or "").splitlines(), old_label, new_label, context=True
    )
    table = _DIFF_SPAN.sub(lambda m: "<{0}>{1}</{0}>".format(_DIFF_TAG[m[1]], m[2]), table)
    # HtmlDiff escapes the text it is given; the replacements only touch its own markup.
    return mark_safe(table)
