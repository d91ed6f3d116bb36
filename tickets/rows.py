"""Queue rows built in Python: the queue is the page agents load most, and Django's template
engine spent about a millisecond per row on it. The markup matches what a template would
write; every value is escaped with the standard library's `html.escape`, which is what
Django's own `escape` calls (without its lazy-text wrapper, which cost more than the
escaping: thousands of calls per page).

Which cells a row has is the agent's choice of columns (QueuePreference.columns); the headers
come from `queue_headers`, so a table's head and body always name the same columns. Each cell
carries its column's label (`data-label`), which the phone layout shows in front of the value
when rows become cards."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from itsm.core.dates import format_datetime
from tickets.choices import PRIORITY_BADGE, STATUS_BADGE, QueueColumn
from tickets.selectors.queue import QueueRow
from tickets.selectors.sla import BadgeClock, sla_badge_state
from tickets.sla.rules import SLA_BADGE, SlaState


def age(created_at: datetime, now: datetime) -> str:
    """ "5 minutes", "3 hours", "2 days" — one unit, like the desk shows everywhere."""
    seconds = max(0, int((now - created_at).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "0 minutes"


@dataclass(frozen=True)
class Header:
    column: str
    label: str
    # The `sort` value of the queue page, or "" when the column does not sort.
    sort: str
    # The direction a first click sorts in: dates newest first, the rest ascending.
    first_descending: bool = False


HEADERS = {
    h.column: h
    for h in (
        Header(QueueColumn.NUMBER, "Number", "number"),
        Header(QueueColumn.PRIORITY, "Priority", "priority"),
        Header(QueueColumn.SHORT_DESCRIPTION, "Short description", "short_description"),
        Header(QueueColumn.STATUS, "Status", "status"),
        Header(QueueColumn.SLA, "SLA", "sla_due"),
        Header(QueueColumn.REQUESTER, "Requester", ""),
        Header(QueueColumn.TEAM, "Team / agent", ""),
        Header(QueueColumn.SERVICE, "Service", ""),
        Header(QueueColumn.CATEGORY, "Category", ""),
        Header(QueueColumn.UPDATED, "Updated", "updated_at", first_descending=True),
        Header(QueueColumn.OPENED, "Opened", "created_at", first_descending=True),
        Header(QueueColumn.CHANNEL, "Channel", ""),
    )
}


@dataclass(frozen=True)
class HeaderCell:
    column: str
    label: str
    # aria-sort: "ascending", "descending" or "none"; "" for a column that does not sort.
    aria_sort: str
    # The sort a click on the header asks for ("" for a column that does not sort).
    next_sort: str


def queue_headers(columns: Iterable[str], *, sort: str) -> list[HeaderCell]:
    """The headers of the chosen `columns` with the direction of the current `sort` (a value
    of the page's `sort` parameter, "-" in front for descending) and what a click asks for:
    the sorted column toggles, another starts in its natural direction."""
    cells = []
    for column in columns:
        header = HEADERS[column]
        if not header.sort:
            cells.append(HeaderCell(column, header.label, "", ""))
            continue
        if sort == header.sort:
            aria, next_sort = "ascending", f"-{header.sort}"
        elif sort == f"-{header.sort}":
            aria, next_sort = "descending", header.sort
        else:
            aria = "none"
            next_sort = f"-{header.sort}" if header.first_descending else header.sort
        cells.append(HeaderCell(column, header.label, aria, next_sort))
    return cells


_URGENCY_ORDER: dict[str, int] = {SlaState.BREACHED: 0, SlaState.RUNNING: 1}


def _urgency(clock: BadgeClock) -> tuple:
    # Breached first, then running clocks by due time, then paused ones.
    order = _URGENCY_ORDER.get(clock.state, 2)
    return (order, clock.due_at is None, clock.due_at or 0)


def _sla_cell(row: QueueRow) -> tuple[SafeString, str]:
    """The row's most urgent SLA clock as a badge (one line), and every open clock in words
    for the cell's title."""
    badges, words = [], []
    for clock in sorted(row.clocks, key=_urgency):
        state = sla_badge_state(clock)
        label = "Response" if clock.metric == "first_response" else "Resolution"
        if clock.state == SlaState.BREACHED:
            text = "breached"
            words.append(f"{label} breached")
        elif clock.state == SlaState.PAUSED:
            text = "paused"
            words.append(f"{label} paused")
        else:
            due = format_datetime(clock.due_at)
            text = f'<span class="sla-left">due {escape(due)}</span>'
            words.append(f"{label} due {due}")
        due_attr = f' data-due="{clock.due_at.isoformat()}"' if clock.due_at else ""
        badges.append(
            f'<span class="badge badge-{SLA_BADGE.get(state, "neutral")} sla-badge" '
            f'data-sla-state="{escape(clock.state)}"{due_attr}>{label} {text}</span>'
        )
    return SafeString(badges[0] if badges else "—"), " · ".join(words)


def _time(value: datetime, now: datetime) -> SafeString:
    local = timezone.localtime(value)
    return SafeString(
        f'<time datetime="{local.isoformat()}" title="{escape(format_datetime(local))}">'
        f"{age(value, now)} ago</time>"
    )


def _cells(
    now: datetime, ticket_path: Callable[[str], str]
) -> dict[str, Callable[[QueueRow], tuple[str, str, Any]]]:
    """For each column: the cell's class, its title (the whole text, shown when the cell is
    cut short) and its content."""

    def who(t: QueueRow) -> str:
        team = t.team or "—"
        return f"{team} / {t.assignee}" if t.assignee else team

    def requester(t: QueueRow) -> tuple[str, str, Any]:
        return "col-requester", f"{t.requester} <{t.requester_email}>", t.requester

    def sla(t: QueueRow) -> tuple[str, str, Any]:
        badges, words = _sla_cell(t)
        return "sla-cell col-sla", words, badges

    return {
        QueueColumn.NUMBER: lambda t: (
            "col-number",
            t.number,
            SafeString(f'<a href="{escape(ticket_path(t.number))}">{escape(t.number)}</a>'),
        ),
        QueueColumn.PRIORITY: lambda t: (
            "col-priority",
            f"P{t.priority}",
            SafeString(
                f'<span class="badge badge-{PRIORITY_BADGE.get(t.priority, "neutral")}">'
                f"P{int(t.priority)}</span>"
            ),
        ),
        QueueColumn.SHORT_DESCRIPTION: lambda t: (
            "col-short_description",
            t.short_description,
            t.short_description,
        ),
        QueueColumn.STATUS: lambda t: (
            "col-status",
            t.get_status_display(),
            SafeString(
                f'<span class="badge badge-{STATUS_BADGE.get(t.status, "neutral")}">'
                f"{escape(str(t.get_status_display()))}</span>"
            ),
        ),
        QueueColumn.SLA: sla,
        QueueColumn.REQUESTER: requester,
        QueueColumn.TEAM: lambda t: ("col-team", who(t), who(t)),
        QueueColumn.SERVICE: lambda t: ("col-service", t.service, t.service or "—"),
        QueueColumn.CATEGORY: lambda t: ("col-category", t.category, t.category or "—"),
        QueueColumn.UPDATED: lambda t: ("col-updated", "", _time(t.updated_at, now)),
        QueueColumn.OPENED: lambda t: ("col-opened", "", _time(t.created_at, now)),
        QueueColumn.CHANNEL: lambda t: (
            "col-channel",
            t.get_channel_display(),
            t.get_channel_display(),
        ),
    }


def queue_rows(
    tickets: Iterable[QueueRow], *, columns: Iterable[str], ticket_path: Callable[[str], str]
) -> SafeString:
    """One `<tr>` per ticket (tickets.selectors.queue_rows_read): the selection box, then the
    chosen `columns` in table order."""
    now = timezone.now()
    cells = _cells(now, ticket_path)
    # Labels escaped once per column, cells joined as plain strings: format_html per cell
    # cost more than the page's whole query (50 rows × a dozen cells). Content that is
    # already markup (SafeString) goes in as it is; any other value is escaped.
    chosen = [(cells[c], escape(HEADERS[c].label)) for c in columns]

    def cell(build: Callable[[QueueRow], tuple[str, str, Any]], label: str, t: QueueRow) -> str:
        css, title, content = build(t)
        shown = f' title="{escape(str(title))}"' if title else ""
        html = content if isinstance(content, SafeString) else escape(str(content))
        return f'<td class="{css}" data-label="{label}"{shown}>{html}</td>'

    def row(t: QueueRow) -> str:
        number = escape(t.number)
        cells_html = "".join(cell(build, label, t) for build, label in chosen)
        return (
            f'<tr data-href="{escape(ticket_path(t.number))}"><td class="col-select">'
            f'<input type="checkbox" name="numbers" value="{number}" aria-label="Select {number}">'
            f"</td>{cells_html}</tr>"
        )

    return SafeString("\n".join(row(t) for t in tickets))
