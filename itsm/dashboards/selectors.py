"""Read-only figures of the manager dashboards (DESIGN §1: continual improvement).

Every figure is one or two aggregate queries; no ticket rows are shipped to the browser. Who
sees what is decided once, in `dashboard_scope_for`, and every selector narrows its rows by
that scope in SQL, so a team lead cannot widen it by editing the query string.

Two sources:
- Figures over a date range read the rollup (`itsm.dashboards.rollup`): daily sums per
  filter dimension, kept up to date by a beat task every few minutes (`ROLLUP_FRESHNESS`),
  so a million tickets cost the same as a thousand. Each reads the smallest grain that
  still holds the dimensions its filters and scope need.
- Figures about now (breaches and tickets at risk, backlog age, open workload) read the
  open-ticket snapshot the same refresh takes (`DashboardOpenNow`): counting several
  hundred thousand open tickets live costs more than the whole overview's budget. The
  drill-down list behind a breach count stays live.

Business time: time to first response and time to resolve are read from the SLA clocks.
A clock stores, when it stops, the business time it ran (`elapsed`, calendar-aware, paused
time excluded), so averaging it needs no per-row calendar arithmetic. Tickets without an
SLA policy have no clocks and are not in those two figures (their help text says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from itsm.accounts.models import Team
from itsm.accounts.roles import Role, user_has_role, user_is_staff_member
from itsm.dashboards.models import (
    DEFAULT_TARGETS,
    DashboardDaily,
    DashboardDailyDuration,
    DashboardOpenNow,
    DashboardRollupState,
    DashboardTarget,
    DashboardTicketFact,
    TargetKey,
)
from itsm.dashboards.rollup import (
    AT_RISK_SHARE_LEFT,
    DAILY_GRAINS,
    DURATION_GRAINS,
    grain_of,
    smallest_grain,
)
from tickets.choices import OPEN_STATUSES, Channel, Priority, TicketStatus
from tickets.models import SlaClock, Ticket
from tickets.sla.rules import SlaMetric, SlaState

RESOLVED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30
WORKLOAD_ROWS = 50
VOLUME_ROWS = 20
DRILL_ROWS = 100
# How old a range figure can be: the rollup beat's interval (settings.CELERY_BEAT_SCHEDULE).
ROLLUP_FRESHNESS = (
    " Read from the dashboard summary, which the server brings up to date every 5 minutes "
    "(today's figures can be up to 5 minutes behind)."
)


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


def dashboard_figures_as_of() -> datetime | None:
    """When the rollup behind the overview was last brought up to date (None: never yet)."""
    return DashboardRollupState.objects.filter(pk=1).values_list("open_as_of", flat=True).first()


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


# --- Reading the rollup ---


def _needed_dimensions(scope: DashboardScope, filters: DashboardFilters) -> set[str]:
    needed = set()
    if scope.team_ids or filters.team_id is not None:
        needed.add("team")
    if not scope.everything and not scope.team_ids:
        needed.add("assignee")
    for name, value in (
        ("service", filters.service_id),
        ("priority", filters.priority),
        ("channel", filters.channel),
    ):
        if value is not None:
            needed.add(name)
    return needed


def _dimension_q(scope: DashboardScope, filters: DashboardFilters) -> Q:
    """Scope and filters on a rollup row (or fact row): the same as on a ticket."""
    q = Q()
    if not scope.everything:
        q &= Q(team_id__in=scope.team_ids) if scope.team_ids else Q(assignee_id=scope.agent_id)
    for lookup, value in (
        ("team_id", filters.team_id),
        ("service_id", filters.service_id),
        ("priority", filters.priority),
        ("channel", filters.channel),
    ):
        if value is not None:
            q &= Q(**{lookup: value})
    return q


def _daily(
    scope: DashboardScope, filters: DashboardFilters, *group: str
) -> QuerySet[DashboardDaily]:
    """The daily sums in the period, at the smallest grain with the scope's, the filters'
    and the grouping's dimensions."""
    grain = smallest_grain(DAILY_GRAINS, _needed_dimensions(scope, filters) | set(group))
    return DashboardDaily.objects.filter(
        _dimension_q(scope, filters),
        grain=grain_of(grain),
        day__gte=filters.date_from,
        day__lte=filters.date_to,
    )


def _open_now(
    scope: DashboardScope, filters: DashboardFilters, *group: str
) -> QuerySet[DashboardOpenNow]:
    """The open-ticket snapshot of the last refresh, at the smallest grain needed."""
    grain = smallest_grain(DAILY_GRAINS, _needed_dimensions(scope, filters) | set(group))
    return DashboardOpenNow.objects.filter(_dimension_q(scope, filters), grain=grain_of(grain))


OPEN_NOW_FRESHNESS = (
    " As of the last refresh of the dashboard summary (every 5 minutes); the list behind "
    "a count is live."
)


def _week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(rows: Iterable[Mapping[str, Any]], *names: str) -> dict[date, list[int]]:
    """Daily rows summed into weeks (Monday)."""
    weeks: dict[date, list[int]] = {}
    for row in rows:
        sums = weeks.setdefault(_week_of(row["day"]), [0] * len(names))
        for index, name in enumerate(names):
            sums[index] += row[name] or 0
    return weeks


# --- Service desk overview ---


def dashboard_sla_compliance(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """SLA compliance per week: of the clocks that stopped in the period, the share met."""
    sums = ("response_met", "response_breached", "resolution_met", "resolution_breached")
    weeks = _weekly(
        _daily(scope, filters)
        .values("day")
        .annotate(**{name: Sum(name) for name in sums})
        .order_by(),
        *sums,
    )
    table: list[list[Any]] = []
    for week in _weeks(filters):
        r_met, r_breached, s_met, s_breached = weeks.get(week, (0, 0, 0, 0))
        r_total, s_total = r_met + r_breached, s_met + s_breached
        table.append(
            [week.isoformat(), _pct(r_met, r_total), _pct(s_met, s_total), r_total, s_total]
        )
    response = (sum(r_met for r_met, *_ in weeks.values()), sum(r[3] for r in table))
    resolution = (sum(w[2] for w in weeks.values()), sum(r[4] for r in table))
    return Figure(
        metric="sla_compliance",
        title="SLA compliance",
        help="Of the SLA clocks that stopped in the period (first public reply from the desk, "
        "or resolution), the share that stopped within the target, in the policy's business "
        "hours with on-hold time excluded. Cancelled tickets do not count. Weeks start on "
        "Monday." + ROLLUP_FRESHNESS,
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


def _open_clocks(scope: DashboardScope, filters: DashboardFilters) -> QuerySet[SlaClock]:
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

    sums = _open_now(scope, filters).aggregate(
        **{
            name: Sum(name)
            for name in (
                "response_breached",
                "response_at_risk",
                "resolution_breached",
                "resolution_at_risk",
            )
        }
    )
    base = reverse("dashboards:sla-tickets")
    query = filters.as_query()
    rows: list[list[Any]] = []
    links: list[str | None] = []
    for metric, prefix in (
        (SlaMetric.FIRST_RESPONSE, "response"),
        (SlaMetric.RESOLUTION, "resolution"),
    ):
        rows.append(
            [
                str(metric.label),
                sums[f"{prefix}_breached"] or 0,
                sums[f"{prefix}_at_risk"] or 0,
            ]
        )
        links.append(_link(base, {**query, "metric": metric.value, "which": "breached"}))
    return Figure(
        metric="sla_now",
        title="Breaches and tickets at risk now",
        help="Open tickets whose first-response or resolution clock has passed its target "
        "(breached), or has less than a quarter of its target left (at risk). Paused clocks "
        "are not at risk. Team, service, priority and channel filters apply; the date range "
        "does not (this is the state now)." + OPEN_NOW_FRESHNESS,
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

    counts = {
        f"b{band}": n
        for band, n in _open_now(scope, filters)
        .values("age_band")
        .annotate(n=Sum("tickets"))
        .order_by()
        .values_list("age_band", "n")
    }
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
    rows: list[list[Any]] = []
    links: list[str | None] = []
    for index, (label, low, _high) in enumerate(AGE_BUCKETS):
        rows.append([label, counts.get(f"b{index}", 0)])
        # The desk's age filter knows 1, 3, 7 and 30 days: "older than" the bucket's floor.
        older = {"older_than_days": str(low)} if low else {}
        links.append(_link(base, {**desk_query, **older}))
    return Figure(
        metric="backlog_age",
        title="Open backlog by age",
        help="Tickets that are new, in progress or on hold now, by time since they were "
        "raised (wall clock). The date range does not apply; team, service, priority and "
        "channel do. Each row links to the desk list of tickets at least that old."
        + OPEN_NOW_FRESHNESS,
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
    counts = {
        row["day"]: (row["created"], row["resolved"])
        for row in _daily(scope, filters)
        .values("day")
        .annotate(created=Sum("created"), resolved=Sum("resolved"))
        .order_by()
    }
    rows = [[d.isoformat(), *counts.get(d, (0, 0))] for d in _days(filters)]
    return Figure(
        metric="created_resolved",
        title="Created vs resolved per day",
        help="Tickets raised on each day, and tickets resolved on each day (still resolved or "
        "closed now; a reopened ticket counts when it is resolved again). When resolved stays "
        "below created, the backlog grows." + ROLLUP_FRESHNESS,
        columns=["Day", "Created", "Resolved"],
        rows=rows,
        chart={"type": "line", "x": 0, "series": [1, 2]},
        summary=[
            {"label": "Created", "value": sum(r[1] for r in rows)},
            {"label": "Resolved", "value": sum(r[2] for r in rows)},
        ],
    )


def _seconds_as_hours(value: float | None) -> float | None:
    return round(value / 3600, 2) if value is not None else None


def _median_from_bands(bands: list[tuple[int, int, float]]) -> float | None:
    """The median (percentile_cont: the mean of the two middle values for an even count) of
    the clocks in histogram bands [(band, clocks, seconds)], each value taken as its band's
    mean: exact when a band holds equal values, else within the band's 5 %."""
    total = sum(clocks for _band, clocks, _seconds in bands)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based ranks of the middle value(s)
    values, seen = [], 0
    for _band, clocks, seconds in sorted(bands):
        while wanted and wanted[0] < seen + clocks:
            values.append(seconds / clocks)
            wanted.pop(0)
        seen += clocks
    return sum(values) / len(values)


def _duration_stats(
    scope: DashboardScope, filters: DashboardFilters
) -> dict[str, tuple[int, float | None, float | None]]:
    """Per clock metric: how many stopped in the period, and the mean and median business
    seconds they ran. One query: the histograms when they have the grain, otherwise the
    facts of the clocks (exact percentile_cont)."""
    needed = _needed_dimensions(scope, filters)
    metrics = (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION)
    if any(needed <= grain for grain in DURATION_GRAINS):
        grain = smallest_grain(DURATION_GRAINS, needed)
        bands: dict[str, list[tuple[int, int, float]]] = {metric: [] for metric in metrics}
        for row in (
            DashboardDailyDuration.objects.filter(
                _dimension_q(scope, filters),
                grain=grain_of(grain),
                day__gte=filters.date_from,
                day__lte=filters.date_to,
            )
            .values("metric", "band")
            .annotate(clocks=Sum("clocks"), seconds=Sum("seconds"))
            .order_by()
        ):
            bands[row["metric"]].append((row["band"], row["clocks"], row["seconds"]))
        stats: dict[str, tuple[int, float | None, float | None]] = {}
        for metric in metrics:
            n = sum(clocks for _b, clocks, _s in bands[metric])
            seconds = sum(s for _b, _c, s in bands[metric])
            stats[metric] = (n, seconds / n if n else None, _median_from_bands(bands[metric]))
        return stats
    aggregates: dict[str, Aggregate] = {}
    for prefix in ("response", "resolution"):
        in_period = Q(
            **{f"{prefix}_day__gte": filters.date_from, f"{prefix}_day__lte": filters.date_to}
        )
        column = f"{prefix}_seconds"
        aggregates[f"{prefix}_n"] = Count("ticket_id", filter=in_period)
        aggregates[f"{prefix}_mean"] = Avg(column, filter=in_period)
        # percentile_cont skips NULLs: the CASE keeps the clocks in the period.
        aggregates[f"{prefix}_median"] = Median(
            Case(When(in_period, then=F(column))), output_field=FloatField()
        )
    either = Q(response_day__gte=filters.date_from, response_day__lte=filters.date_to) | Q(
        resolution_day__gte=filters.date_from, resolution_day__lte=filters.date_to
    )
    totals = DashboardTicketFact.objects.filter(either, _dimension_q(scope, filters)).aggregate(
        **aggregates
    )
    return {
        metric: (totals[f"{prefix}_n"], totals[f"{prefix}_mean"], totals[f"{prefix}_median"])
        for metric, prefix in zip(metrics, ("response", "resolution"), strict=True)
    }


def dashboard_response_times(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Mean and median business time to first response and to resolve."""
    stats = _duration_stats(scope, filters)
    rows = []
    for metric, label in (
        (SlaMetric.FIRST_RESPONSE, "Time to first response"),
        (SlaMetric.RESOLUTION, "Time to resolve"),
    ):
        n, mean, median = stats[metric]
        rows.append([label, _seconds_as_hours(mean), _seconds_as_hours(median), n])
    return Figure(
        metric="response_times",
        title="Time to first response and to resolve",
        help="Business hours (the SLA policy's calendar; on-hold time awaiting the requester "
        "excluded) from the ticket being raised to the desk's first public reply, and to "
        "resolution, for clocks that stopped in the period. The mean is pulled up by a few "
        "long tickets; the median is the typical ticket (read from 5 % wide bands of time, so "
        "within 5 % of the exact median). Tickets without an SLA policy are not measured."
        + ROLLUP_FRESHNESS,
        columns=["Measure", "Mean (business hours)", "Median (business hours)", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2], "unit": "h"},
        summary=[
            {"label": "Mean time to resolve", "value": rows[1][1], "unit": "h"},
            {"label": "Median time to resolve", "value": rows[1][2], "unit": "h"},
        ],
    )


def _resolved_in_period(scope: DashboardScope, filters: DashboardFilters) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        _in_scope(scope, filters),
        resolved_at__gte=filters.start,
        resolved_at__lt=filters.end,
        status__in=RESOLVED_STATUSES,
    )


def _weekly_share(
    scope: DashboardScope, filters: DashboardFilters, hit: str
) -> tuple[list[list[Any]], int, int]:
    counts = _weekly(
        _daily(scope, filters).values("day").annotate(hit=Sum(hit), n=Sum("resolved")).order_by(),
        "hit",
        "n",
    )
    rows: list[list[Any]] = []
    for week in _weeks(filters):
        part, whole = counts.get(week, (0, 0))
        rows.append([week.isoformat(), _pct(part, whole), part, whole])
    return rows, sum(r[2] for r in rows), sum(r[3] for r in rows)


def dashboard_first_contact_resolution(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """First-contact resolution rate per week."""
    rows, part, whole = _weekly_share(scope, filters, "first_contact")
    return Figure(
        metric="first_contact_resolution",
        title="First-contact resolution",
        help="Of the tickets resolved in the period, the share resolved by the agent they were "
        "first assigned to, never reassigned (the ticket's first-contact-resolution flag, set "
        "when it is resolved)." + ROLLUP_FRESHNESS,
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
    rows, part, whole = _weekly_share(scope, filters, "reassigned")
    return Figure(
        metric="reassignment",
        title="Reassignment rate",
        help="Of the tickets resolved in the period, the share moved to another team or agent "
        "at least once after the first assignment. Lower is better: each move costs the "
        "requester time." + ROLLUP_FRESHNESS,
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
    ratings = {f"rating_{r}": Sum(f"rating_{r}") for r in range(1, 6)}
    sums = _daily(scope, filters).aggregate(resolved=Sum("resolved"), **ratings)
    counts = {r: sums[f"rating_{r}"] or 0 for r in range(1, 6)}
    resolved = sums["resolved"] or 0
    answered = sum(counts.values())
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
        "and the share of tickets whose requester answered (response rate)." + ROLLUP_FRESHNESS,
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
        _daily(scope, filters, field_name)
        .values(f"{field_name}_id", label_field)
        .annotate(n=Sum("created"))
        .filter(n__gt=0)
        .order_by("-n", label_field)
    )
    table = [[row[label_field] or "(none)", row["n"]] for row in rows]
    if len(table) > VOLUME_ROWS:
        # More groups than a chart can show: the largest 19 and the rest as one.
        tail = sum(r[1] for r in table[VOLUME_ROWS - 1 :])
        table = [*table[: VOLUME_ROWS - 1], ["(other)", tail]]
    return table


def dashboard_volume_category(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _volume(scope, filters, "category", "category__name")
    return Figure(
        metric="volume_category",
        title="Volume by category",
        help="Tickets raised in the period, by top-level category (the largest 19 and the "
        "rest as 'other')." + ROLLUP_FRESHNESS,
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
        "the rest as 'other')." + ROLLUP_FRESHNESS,
        columns=["Service", "Tickets"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
    )


def dashboard_volume_channel(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    counts = dict(
        _daily(scope, filters, "channel")
        .values("channel")
        .annotate(n=Sum("created"))
        .order_by()
        .values_list("channel", "n")
    )
    rows = [[str(label), counts.get(value, 0)] for value, label in Channel.choices]
    return Figure(
        metric="volume_channel",
        title="Volume by channel",
        help="Tickets raised in the period, by how they reached the desk (portal, email, "
        "phone, API)." + ROLLUP_FRESHNESS,
        columns=["Channel", "Tickets"],
        rows=rows,
        chart={"type": "doughnut", "x": 0, "series": [1]},
    )


WORKLOAD_GROUPS = {"team": "team__name", "assignee": "assignee__display_name"}


def _workload(scope: DashboardScope, filters: DashboardFilters, group: str) -> list[list[Any]]:
    """Open now (the snapshot), and resolved in the period with the resolution clocks met
    (the daily sums); the busiest first."""
    rollup_label = WORKLOAD_GROUPS[group]
    merged: dict[int | None, dict[str, Any]] = {}
    for row in (
        _open_now(scope, filters, group)
        .values(f"{group}_id", rollup_label)
        .annotate(n=Sum("tickets"))
        .order_by()
    ):
        merged[row[f"{group}_id"]] = {"label": row[rollup_label], "open": row["n"]}
    for row in (
        _daily(scope, filters, group)
        .values(f"{group}_id", rollup_label)
        .annotate(
            resolved=Sum("resolved"),
            met=Sum("resolution_met"),
            breached=Sum("resolution_breached"),
        )
        .order_by()
    ):
        if not (row["resolved"] or row["met"] or row["breached"]):
            continue
        entry = merged.setdefault(row[f"{group}_id"], {"label": row[rollup_label], "open": 0})
        entry.update(resolved=row["resolved"], met=row["met"], breached=row["breached"])
    rows = [
        [
            entry["label"] or "(unassigned)",
            entry["open"],
            entry.get("resolved", 0),
            _pct(entry.get("met", 0), entry.get("met", 0) + entry.get("breached", 0)),
            entry["label"],
        ]
        for entry in merged.values()
    ]
    rows.sort(key=lambda r: (-r[1], -r[2], r[4] is None, r[4] or ""))
    return [row[:4] for row in rows[:WORKLOAD_ROWS]]


def dashboard_workload_team(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _workload(scope, filters, "team")
    return Figure(
        metric="workload_team",
        title="Team workload",
        help="Per assignment team: tickets open now, tickets resolved in the period, and the "
        "share of resolution clocks stopped in the period that met their target. All three are "
        "read from the dashboard summary, which the server brings up to date every 5 "
        "minutes.",
        columns=["Team", "Open now", "Resolved in period", "Resolution SLA met (%)"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2]},
    )


def dashboard_workload_agent(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    rows = _workload(scope, filters, "assignee")
    return Figure(
        metric="workload_agent",
        title="Agent workload",
        help="Per assigned agent (the 50 busiest): tickets open now, tickets resolved in the "
        "period, and the share of resolution clocks stopped in the period that met their "
        "target. All three are read from the dashboard summary, which the server brings "
        "up to date every 5 minutes.",
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
