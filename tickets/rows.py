"""Queue rows built in Python: the queue is the page agents load most, and Django's template
engine spent about a millisecond per row on it. The markup matches what a template would
write; every value goes through format_html, so it is escaped the same way."""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from itsm.core.dates import format_datetime
from tickets.choices import PRIORITY_BADGE, STATUS_BADGE
from tickets.sla.rules import SLA_BADGE, SlaState


def age(created_at: datetime, now: datetime) -> str:
    """ "5 minutes", "3 hours", "2 days" — one unit, like the desk shows everywhere."""
    seconds = max(0, int((now - created_at).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "0 minutes"


def _sla_cell(ticket) -> SafeString:
    from tickets.selectors import sla_badge_state

    badges = []
    for clock in ticket.sla_clocks.all():
        if clock.state in (SlaState.MET, SlaState.CANCELLED):
            continue
        state = sla_badge_state(clock)
        label = "Response" if clock.metric == "first_response" else "Resolution"
        if clock.state == SlaState.BREACHED:
            text = "breached"
        elif clock.state == SlaState.PAUSED:
            text = "paused"
        else:
            due = format_datetime(clock.due_at)
            text = format_html('<span class="sla-left">due {}</span>', due)
        due_attr = format_html(' data-due="{}"', clock.due_at.isoformat()) if clock.due_at else ""
        badges.append(
            format_html(
                '<span class="badge badge-{} sla-badge" data-sla-state="{}"{}>{} {}</span>',
                SLA_BADGE.get(state, "neutral"),
                clock.state,
                due_attr,
                label,
                text,
            )
        )
    return SafeString("".join(badges))


def queue_rows(tickets, *, ticket_path: Callable[[str], str]) -> SafeString:
    now = timezone.now()

    def row(t):
        url = ticket_path(t.number)
        team = str(t.assignment_team) if t.assignment_team_id else "—"
        who = format_html("{} / {}", team, t.assignee) if t.assignee_id else team
        created = timezone.localtime(t.created_at)
        return (
            url,
            t.number,
            t.number,
            url,
            t.number,
            PRIORITY_BADGE.get(t.priority, "neutral"),
            t.priority,
            t.short_description,
            STATUS_BADGE.get(t.status, "neutral"),
            t.get_status_display(),
            _sla_cell(t),
            t.requester,
            who,
            t.service if t.service_id else "—",
            created.isoformat(),
            format_datetime(created),
            age(t.created_at, now),
        )

    return format_html_join(
        "\n",
        '<tr data-href="{}"><td><input type="checkbox" name="numbers" value="{}" '
        'aria-label="Select {}"></td><td><a href="{}">{}</a></td>'
        '<td><span class="badge badge-{}">P{}</span></td><td>{}</td>'
        '<td><span class="badge badge-{}">{}</span></td><td class="sla-cell">{}</td>'
        "<td>{}</td><td>{}</td><td>{}</td>"
        '<td><time datetime="{}" title="{}">{} ago</time></td></tr>',
        (row(t) for t in tickets),
    )
