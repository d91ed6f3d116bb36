"""Read-only figures of the manager dashboards (DESIGN §1: continual improvement).

Every figure is one or two aggregate queries (GROUP BY with conditional counts, averages and
a Postgres `percentile_cont` median); no ticket rows are shipped to the browser. Who sees
what is decided once, in `dashboard_scope_for`, and every selector narrows its rows by that
scope in SQL, so a team lead cannot widen it by editing the query string.

Business time: time to first response and time to resolve are read from the SLA clocks.
A clock stores, when it stops, the business time it ran (`elapsed`, calendar-aware, paused
time excluded), so averaging it needs no per-row calendar arithmetic. Tickets without an
SLA policy have no clocks and are not in those two figures (their help text says so).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Value,
)
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from itsm.accounts.models import Team
from itsm.accounts.roles import Role, user_has_role, user_is_staff_member
from itsm.dashboards.models import DEFAULT_TARGETS, DashboardTarget, TargetKey
from tickets.choices import OPEN_STATUSES, Channel, Priority, TicketStatus
from tickets.models import SlaClock, Ticket
from tickets.sla import SlaMetric, SlaState

RESOLVED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30
# A running clock with less than this share of its target left (wall clock) is "at risk":
# the same 75 % line the desk's SLA badge turns amber at (tickets.sla.WARNING_PCT).
AT_RISK_SHARE_LEFT = 0.25
WORKLOAD_ROWS = 50
VOLUME_ROWS = 20
DRILL_ROWS = 100


class Median(Aggregate):
    """Postgres `percentile_cont(0.5)`: the median of numbers or intervals."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


# --- Who sees what ---


@dataclass(frozen=True)
class DashboardScope:
    """The tickets a dashboard user may see figures of: all, their teams', or their own."""

    everything: bool = False
    team_ids: tuple[int, ...] = ()
    agent_id: int | None = None
    label: str = ""

    def ticket_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        if self.team_ids:
            return Q(**{f"{prefix}assignment_team_id__in": self.team_ids})
        return Q(**{f"{prefix}assignee_id": self.agent_id})


def dashboard_scope_for(user: Any) -> DashboardScope:
    """Service desk managers and administrators see everything; team leads see the tickets
    of the teams they lead; other desk staff see the tickets assigned to them. Requesters
    (and anyone outside the desk) are refused."""
    if not user_is_staff_member(user):
        raise PermissionDenied("Dashboards are for service desk staff.")
    if user.is_superuser or any(
        user_has_role(user, role) for role in (Role.SERVICE_DESK_MANAGER, Role.ADMINISTRATOR)
    ):
        return DashboardScope(everything=True, label="the whole service desk")
    led = tuple(Team.objects.filter(lead=user).order_by("name").values_list("id", "name"))
    if led:
        return DashboardScope(
            team_ids=tuple(pk for pk, _ in led), label=", ".join(name for _, name in led)
        )
    return DashboardScope(agent_id=user.pk, label="your own tickets")


def dashboard_process_access(user: Any) -> bool:
    """Process views (changes, problems, knowledge, major incidents) are desk-wide figures:
    managers, administrators and the process owners see them."""
    if not user_is_staff_member(user):
        return False
    return user.is_superuser or any(
        user_has_role(user, role)
        for role in (
            Role.SERVICE_DESK_MANAGER,
            Role.ADMINISTRATOR,
            Role.CHANGE_MANAGER,
            Role.PROBLEM_MANAGER,
            Role.RELEASE_MANAGER,
            Role.KNOWLEDGE_EDITOR,
        )
    )


# --- Filters ---


@dataclass(frozen=True)
class DashboardFilters:
    """The overview's filters: a date range (inclusive, local dates) and ticket dimensions."""

    date_from: date
    date_to: date
    team_id: int | None = None
    service_id: int | None = None
    priority: int | None = None
    channel: str | None = None

    @classmethod
    def default(cls) -> DashboardFilters:
        today = timezone.localdate()
        return cls(date_from=today - timedelta(days=DEFAULT_RANGE_DAYS - 1), date_to=today)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight after `date_to`."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def ticket_q(self, prefix: str = "") -> Q:
        q = Q()
        for lookup, value in (
            ("assignment_team_id", self.team_id),
            ("service_id", self.service_id),
            ("priority", self.priority),
            ("channel", self.channel),
        ):
            if value is not None:
                q &= Q(**{f"{prefix}{lookup}": value})
        return q

    def as_query(self) -> dict[str, str]:
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for key, value in (
            ("team", self.team_id),
            ("service", self.service_id),
            ("priority", self.priority),
            ("channel", self.channel),
        ):
            if value is not None:
                params[key] = str(value)
        return params


def _in_scope(scope: DashboardScope, filters: DashboardFilters, prefix: str = "") -> Q:
    return scope.ticket_q(prefix) & filters.ticket_q(prefix)


# --- Targets ---


def dashboard_targets() -> dict[str, float]:
    """The reference lines: configured rows over the defaults (one query)."""
    targets = dict(DEFAULT_TARGETS)
    for key, value in DashboardTarget.objects.values_list("key", "value"):
        targets[key] = float(value)
    return targets


# --- The shape every figure has ---


@dataclass
class Figure:
    """One chart and its table: `columns` + `rows` are the numbers (the table view and the
    CSV); `chart` says how the browser draws them (`x` column, `series` columns)."""

    metric: str
    title: str
    help: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] = field(default_factory=dict)
    summary: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    row_links: list[str | None] = field(default_factory=list)
    unavailable: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 2) if value is not None else None


def _local_date(value: datetime | date) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def _weeks(filters: DashboardFilters) -> list[date]:
    first = filters.date_from - timedelta(days=filters.date_from.weekday())
    weeks = []
    while first <= filters.date_to:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def _days(filters: DashboardFilters) -> list[date]:
    count = (filters.date_to - filters.date_from).days + 1
    return [filters.date_from + timedelta(days=i) for i in range(count)]


# --- Service desk overview ---


def dashboard_sla_compliance(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """SLA compliance per week: of the clocks that stopped in the period, the share met."""
    rows = (
        SlaClock.objects.filter(
            _in_scope(scope, filters, "ticket__"),
            stopped_at__gte=filters.start,
            stopped_at__lt=filters.end,
            state__in=(SlaState.MET, SlaState.BREACHED),
        )
        .annotate(week=TruncWeek("stopped_at"))
        .values("week", "metric")
        .annotate(total=Count("id"), met=Count("id", filter=Q(state=SlaState.MET)))
        .order_by()
    )
    by_week: dict[tuple[date, str], tuple[int, int]] = {}
    totals = {SlaMetric.FIRST_RESPONSE: [0, 0], SlaMetric.RESOLUTION: [0, 0]}
    for row in rows:
        by_week[(_local_date(row["week"]), row["metric"])] = (row["met"], row["total"])
        totals[row["metric"]][0] += row["met"]
        totals[row["metric"]][1] += row["total"]
    table = []
    for week in _weeks(filters):
        r_met, r_total = by_week.get((week, SlaMetric.FIRST_RESPONSE), (0, 0))
        s_met, s_total = by_week.get((week, SlaMetric.RESOLUTION), (0, 0))
        table.append(
            [week.isoformat(), _pct(r_met, r_total), _pct(s_met, s_total), r_total, s_total]
        )
    response = totals[SlaMetric.FIRST_RESPONSE]
    resolution = totals[SlaMetric.RESOLUTION]
    return Figure(
        metric="sla_compliance",
        title="SLA compliance",
        help="Of the SLA clocks that stopped in the period (first public reply from the desk, "
        "or resolution), the share that stopped within the target, in the policy's business "
        "hours with on-hold time excluded. Cancelled tickets do not count. Weeks start on "
        "Monday.",
        columns=[
            "Week",
            "First response met (%)",
            "Resolution met (%)",
            "Responses measured",
            "Resolutions measured",
        ],
        rows=table,
        chart={"type": "line", "x": 0, "series": [1, 2], "unit": "%", "max": 100},
        summary=[
            {"label": "First response met", "value": _pct(*response), "unit": "%"},
            {"label": "Resolution met", "value": _pct(*resolution), "unit": "%"},
        ],
        targets=[
            {"label": "Response target", "value": targets[TargetKey.SLA_RESPONSE]},
            {"label": "Resolution target", "value": targets[TargetKey.SLA_RESOLUTION]},
        ],
    )


def _at_risk_q() -> Q:
    # Wall-clock time left is at least the business time left, so "less than a quarter of
    # the target left on the wall clock" never flags a clock that still has more business
    # time than that; it is one indexed comparison instead of calendar arithmetic per row.
    now = timezone.now()
    return Q(state=SlaState.RUNNING, due_at__gt=now, risk_from__lte=now)


def _open_clocks(scope: DashboardScope, filters: DashboardFilters):
    return SlaClock.objects.filter(
        _in_scope(scope, filters, "ticket__"),
        stopped_at__isnull=True,
        ticket__status__in=OPEN_STATUSES,
    ).annotate(
        risk_from=ExpressionWrapper(
            F("due_at")
            - ExpressionWrapper(
                F("target_minutes") * Value(timedelta(minutes=AT_RISK_SHARE_LEFT)),
                output_field=DurationField(),
            ),
            output_field=DateTimeField(),
        )
    )


def dashboard_sla_now(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Open tickets whose SLA clock has breached, or is about to, right now."""
    from django.urls import reverse

    counts = {
        row["metric"]: row
        for row in _open_clocks(scope, filters)
        .values("metric")
        .annotate(
            breached=Count("id", filter=Q(state=SlaState.BREACHED)),
            at_risk=Count("id", filter=_at_risk_q()),
        )
        .order_by()
    }
    base = reverse("dashboards:sla-tickets")
    query = filters.as_query()
    rows, links = [], []
    for metric in (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION):
        row = counts.get(metric, {"breached": 0, "at_risk": 0})
        rows.append([str(metric.label), row["breached"], row["at_risk"]])
        links.append(_link(base, {**query, "metric": metric.value, "which": "breached"}))
    return Figure(
        metric="sla_now",
        title="Breaches and tickets at risk now",
        help="Open tickets whose first-response or resolution clock has passed its target "
        "(breached), or has less than a quarter of its target left (at risk). Paused clocks "
        "are not at risk. Team, service, priority and channel filters apply; the date range "
        "does not (this is the state now).",
        columns=["Clock", "Breached", "At risk"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2]},
        summary=[
            {"label": "Breached now", "value": sum(r[1] for r in rows), "url": links[1]},
            {"label": "At risk", "value": sum(r[2] for r in rows)},
        ],
        row_links=links,
    )


def _link(base: str, params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return f"{base}?{urlencode(params)}"


AGE_BUCKETS = [
    ("Under 1 day", 0, 1),
    ("1–3 days", 1, 3),
    ("3–7 days", 3, 7),
    ("7–30 days", 7, 30),
    ("Over 30 days", 30, None),
]


def dashboard_backlog_age(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """The open backlog now, by age since the ticket was raised."""
    from django.urls import reverse

    now = timezone.now()
    aggregates = {}
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        q = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            q &= Q(created_at__gt=now - timedelta(days=high))
        aggregates[f"b{index}"] = Count("id", filter=q)
    counts = Ticket.objects.filter(_in_scope(scope, filters), status__in=OPEN_STATUSES).aggregate(
        **aggregates
    )
    base = reverse("tickets:desk-ticket-queue")
    desk_query = {"status": "open"}
    for key, value in (
        ("team", filters.team_id),
        ("service", filters.service_id),
        ("priority", filters.priority),
        ("channel", filters.channel),
    ):
        if value is not None:
            desk_query[key] = str(value)
    rows, links = [], []
    for index, (label, low, _high) in enumerate(AGE_BUCKETS):
        rows.append([label, counts[f"b{index}"]])
        # The desk's age filter knows 1, 3, 7 and 30 days: "older than" the bucket's floor.
        older = {"older_than_days": str(low)} if low else {}
        links.append(_link(base, {**desk_query, **older}))
    return Figure(
        metric="backlog_age",
        title="Open backlog by age",
        help="Tickets that are new, in progress or on hold now, by time since they were "
        "raised (wall clock). The date range does not apply; team, service, priority and "
        "channel do. Each row links to the desk list of tickets at least that old.",
        columns=["Age", "Open tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1]},
        summary=[{"label": "Open backlog", "value": sum(r[1] for r in rows)}],
        row_links=links,
    )


def dashboard_created_resolved(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Tickets raised and tickets resolved per day of the period."""
    in_scope = _in_scope(scope, filters)
    created = dict(
        Ticket.objects.filter(in_scope, created_at__gte=filters.start, created_at__lt=filters.end)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    resolved = dict(
        Ticket.objects.filter(
            in_scope,
            resolved_at__gte=filters.start,
            resolved_at__lt=filters.end,
            status__in=RESOLVED_STATUSES,
        )
        .annotate(day=TruncDate("resolved_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    rows = [[d.isoformat(), created.get(d, 0), resolved.get(d, 0)] for d in _days(filters)]
    return Figure(
        metric="created_resolved",
        title="Created vs resolved per day",
        help="Tickets raised on each day, and tickets resolved on each day (still resolved or "
        "closed now; a reopened ticket counts when it is resolved again). When resolved stays "
        "below created, the backlog grows.",
        columns=["Day", "Created", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1, 2]},
        summary=[
            {"label": "Created", "value": sum(r[1] for r in rows)},
            {"label": "Resolved", "value": sum(r[2] for r in rows)},
        ],
    )


def dashboard_response_times(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Mean and median business time to first response and to resolve."""
    stats = {
        row["metric"]: row
        for row in SlaClock.objects.filter(
            _in_scope(scope, filters, "ticket__"),
            stopped_at__gte=filters.start,
            stopped_at__lt=filters.end,
            state__in=(SlaState.MET, SlaState.BREACHED),
        )
        .values("metric")
        .annotate(
            n=Count("id"),
            mean=Avg("elapsed"),
            median=Median("elapsed", output_field=DurationField()),
        )
        .order_by()
    }
    rows = []
    for metric, label in (
        (SlaMetric.FIRST_RESPONSE, "Time to first response"),
        (SlaMetric.RESOLUTION, "Time to resolve"),
    ):
        row = stats.get(metric, {"n": 0, "mean": None, "median": None})
        rows.append([label, _hours(row["mean"]), _hours(row["median"]), row["n"]])
    return Figure(
        metric="response_times",
        title="Time to first response and to resolve",
        help="Business hours (the SLA policy's calendar; on-hold time awaiting the requester "
        "excluded) from the ticket being raised to the desk's first public reply, and to "
        "resolution, for clocks that stopped in the period. The mean is pulled up by a few "
        "long tickets; the median is the typical ticket. Tickets without an SLA policy are "
        "not measured.",
        columns=["Measure", "Mean (business hours)", "Median (business hours)", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2], "unit": "h"},
        summary=[
            {"label": "Mean time to resolve", "value": rows[1][1], "unit": "h"},
            {"label": "Median time to resolve", "value": rows[1][2], "unit": "h"},
        ],
    )


def _resolved_in_period(scope: DashboardScope, filters: DashboardFilters):
    return Ticket.objects.filter(
        _in_scope(scope, filters),
        resolved_at__gte=filters.start,
        resolved_at__lt=filters.end,
        status__in=RESOLVED_STATUSES,
    )


def _weekly_share(
    scope: DashboardScope, filters: DashboardFilters, hit: Q
) -> tuple[list[list[Any]], int, int]:
    counts = {
        _local_date(row["week"]): (row["hit"], row["n"])
        for row in _resolved_in_period(scope, filters)
        .annotate(week=TruncWeek("resolved_at"))
        .values("week")
        .annotate(n=Count("id"), hit=Count("id", filter=hit))
        .order_by()
    }
    rows = []
    for week in _weeks(filters):
        part, whole = counts.get(week, (0, 0))
        rows.append([week.isoformat(), _pct(part, whole), part, whole])
    return rows, sum(r[2] for r in rows), sum(r[3] for r in rows)


def dashboard_first_contact_resolution(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """First-contact resolution rate per week."""
    rows, part, whole = _weekly_share(scope, filters, Q(is_first_contact_resolution=True))
    return Figure(
        metric="first_contact_resolution",
        title="First-contact resolution",
        help="Of the tickets resolved in the period, the share resolved by the agent they were "
        "first assigned to, never reassigned (the ticket's first-contact-resolution flag, set "
        "when it is resolved).",
        columns=["Week", "First-contact resolution (%)", "Resolved at first contact", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1], "unit": "%", "max": 100},
        summary=[{"label": "First-contact resolution", "value": _pct(part, whole), "unit": "%"}],
        targets=[{"label": "FCR target", "value": targets[TargetKey.FCR]}],
    )


def dashboard_reassignment(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Reassignment rate per week."""
    rows, part, whole = _weekly_share(scope, filters, Q(reassignment_count__gt=0))
    return Figure(
        metric="reassignment",
        title="Reassignment rate",
        help="Of the tickets resolved in the period, the share moved to another team or agent "
        "at least once after the first assignment. Lower is better: each move costs the "
        "requester time.",
        columns=["Week", "Reassigned (%)", "Reassigned", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1], "unit": "%", "max": 100},
        summary=[{"label": "Reassigned", "value": _pct(part, whole), "unit": "%"}],
        targets=[{"label": "Ceiling", "value": targets[TargetKey.REASSIGNMENT]}],
    )


def dashboard_csat(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Satisfaction: answers per rating, the average and the response rate."""
    counts = dict(
        _resolved_in_period(scope, filters)
        .values("survey__rating")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("survey__rating", "n")
    )
    resolved = sum(counts.values())
    answered = sum(n for rating, n in counts.items() if rating is not None)
    average = (
        round(sum(rating * n for rating, n in counts.items() if rating) / answered, 2)
        if answered
        else None
    )
    rows = [[f"{rating} / 5", counts.get(rating, 0)] for rating in range(1, 6)]
    return Figure(
        metric="csat",
        title="Customer satisfaction",
        help="Requesters rate a resolved ticket from 1 (very unhappy) to 5 (very happy) in the "
        "portal. Of the tickets resolved in the period: the answers per rating, their average, "
        "and the share of tickets whose requester answered (response rate).",
        columns=["Rating", "Answers"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1]},
        summary=[
            {"label": "Average rating", "value": average, "unit": "/ 5"},
            {"label": "Response rate", "value": _pct(answered, resolved), "unit": "%"},
            {"label": "Answers", "value": answered},
        ],
        targets=[
            {"label": "Satisfaction target", "value": targets[TargetKey.CSAT], "summary": True},
            {
                "label": "Response-rate target",
                "value": targets[TargetKey.CSAT_RESPONSE],
                "summary": True,
            },
        ],
    )


def _volume(
    scope: DashboardScope, filters: DashboardFilters, field_name: str, label_field: str
) -> list[list[Any]]:
    rows = (
        Ticket.objects.filter(
            _in_scope(scope, filters), created_at__gte=filters.start, created_at__lt=filters.end
        )
        .values(label_field)
        .annotate(n=Count("id"))
        .order_by("-n", label_field)
    )
    table = [[row[label_field] or "(none)", row["n"]] for row in rows[: VOLUME_ROWS + 1]]
    if len(table) > VOLUME_ROWS:
        # More groups than a chart can show: the tail is summed in one more (bounded) query.
        shown = sum(r[1] for r in table[: VOLUME_ROWS - 1])
        total = rows.model.objects.filter(
            _in_scope(scope, filters), created_at__gte=filters.start, created_at__lt=filters.end
        ).count()
        table = [*table[: VOLUME_ROWS - 1], ["(other)", total - shown]]
    return table


def dashboard_volume_category(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _volume(scope, filters, "category", "category__name")
    return Figure(
        metric="volume_category",
        title="Volume by category",
        help="Tickets raised in the period, by top-level category (the largest 19 and the "
        "rest as 'other').",
        columns=["Category", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
    )


def dashboard_volume_service(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _volume(scope, filters, "service", "service__name")
    return Figure(
        metric="volume_service",
        title="Volume by service",
        help="Tickets raised in the period, by the service they are about (the largest 19 and "
        "the rest as 'other').",
        columns=["Service", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
    )


def dashboard_volume_channel(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    counts = dict(
        Ticket.objects.filter(
            _in_scope(scope, filters), created_at__gte=filters.start, created_at__lt=filters.end
        )
        .values("channel")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("channel", "n")
    )
    rows = [[str(label), counts.get(value, 0)] for value, label in Channel.choices]
    return Figure(
        metric="volume_channel",
        title="Volume by channel",
        help="Tickets raised in the period, by how they reached the desk (portal, email, "
        "phone, API).",
        columns=["Channel", "Tickets"],
        rows=rows,
        chart={"type": "doughnut", "x": 0, "series": [1]},
    )


def _workload(
    scope: DashboardScope, filters: DashboardFilters, group: str, label: str
) -> list[list[Any]]:
    resolved_q = Q(
        resolved_at__gte=filters.start,
        resolved_at__lt=filters.end,
        status__in=RESOLVED_STATUSES,
    )
    open_q = Q(status__in=OPEN_STATUSES)
    rows = list(
        Ticket.objects.filter(_in_scope(scope, filters), open_q | resolved_q)
        .values(group, label)
        .annotate(open=Count("id", filter=open_q), resolved=Count("id", filter=resolved_q))
        .order_by("-open", "-resolved", label)[:WORKLOAD_ROWS]
    )
    sla = {
        row[f"ticket__{group}"]: (row["met"], row["n"])
        for row in SlaClock.objects.filter(
            _in_scope(scope, filters, "ticket__"),
            metric=SlaMetric.RESOLUTION,
            stopped_at__gte=filters.start,
            stopped_at__lt=filters.end,
            state__in=(SlaState.MET, SlaState.BREACHED),
            **{f"ticket__{group}__in": [row[group] for row in rows if row[group]]},
        )
        .values(f"ticket__{group}")
        .annotate(n=Count("id"), met=Count("id", filter=Q(state=SlaState.MET)))
        .order_by()
    }
    return [
        [
            row[label] or "(unassigned)",
            row["open"],
            row["resolved"],
            _pct(*sla.get(row[group], (0, 0))),
        ]
        for row in rows
    ]


def dashboard_workload_team(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _workload(scope, filters, "assignment_team_id", "assignment_team__name")
    return Figure(
        metric="workload_team",
        title="Team workload",
        help="Per assignment team: tickets open now, tickets resolved in the period, and the "
        "share of resolution clocks stopped in the period that met their target.",
        columns=["Team", "Open now", "Resolved in period", "Resolution SLA met (%)"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2]},
    )


def dashboard_workload_agent(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _workload(scope, filters, "assignee_id", "assignee__display_name")
    return Figure(
        metric="workload_agent",
        title="Agent workload",
        help="Per assigned agent (the 50 busiest): tickets open now, tickets resolved in the "
        "period, and the share of resolution clocks stopped in the period that met their "
        "target.",
        columns=["Agent", "Open now", "Resolved in period", "Resolution SLA met (%)"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2], "horizontal": True},
    )


OVERVIEW_METRICS = {
    "sla_compliance": dashboard_sla_compliance,
    "sla_now": dashboard_sla_now,
    "backlog_age": dashboard_backlog_age,
    "created_resolved": dashboard_created_resolved,
    "response_times": dashboard_response_times,
    "first_contact_resolution": dashboard_first_contact_resolution,
    "reassignment": dashboard_reassignment,
    "csat": dashboard_csat,
    "volume_category": dashboard_volume_category,
    "volume_service": dashboard_volume_service,
    "volume_channel": dashboard_volume_channel,
    "workload_team": dashboard_workload_team,
    "workload_agent": dashboard_workload_agent,
}


# --- Drill-down ---


def dashboard_sla_ticket_list(
    *, scope: DashboardScope, filters: DashboardFilters, metric: str, which: str
) -> list[SlaClock]:
    """The open tickets behind a breach (or at-risk) count, most overdue first, capped."""
    clocks = _open_clocks(scope, filters).filter(metric=metric)
    clocks = (
        clocks.filter(state=SlaState.BREACHED)
        if which == "breached"
        else clocks.filter(_at_risk_q())
    )
    return list(
        clocks.select_related("ticket__assignment_team", "ticket__assignee").order_by(
            "due_at", "id"
        )[:DRILL_ROWS]
    )


def dashboard_priority_choices() -> list[tuple[int, str]]:
    return list(Priority.choices)
