"""SLA figures of the overview: compliance per week, breaches and risk now, and the
business time to first response and to resolve."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Avg, Case, Count, F, FloatField, Q, Sum, When

from itsm.dashboards.models import DashboardDailyDuration, DashboardTicketFact, TargetKey
from itsm.dashboards.rollup import DURATION_GRAINS, grain_of, smallest_grain
from itsm.dashboards.selectors.figure import (
    Figure,
    link_to,
    percent,
    period_weeks,
    seconds_as_hours,
)
from itsm.dashboards.selectors.filters import DashboardFilters
from itsm.dashboards.selectors.scope import DashboardScope
from itsm.dashboards.selectors.summary import (
    OPEN_NOW_FRESHNESS,
    ROLLUP_FRESHNESS,
    daily_sums,
    dimension_q,
    needed_dimensions,
    open_now_snapshot,
    summed_by_week,
)
from tickets.sla.rules import SlaMetric


class Median(Aggregate):
    """Postgres `percentile_cont(0.5)`: the median of numbers or intervals."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def dashboard_sla_compliance(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """SLA compliance per week: of the clocks that stopped in the period, the share met."""
    sums = ("response_met", "response_breached", "resolution_met", "resolution_breached")
    weeks = summed_by_week(
        daily_sums(scope, filters)
        .values("day")
        .annotate(**{name: Sum(name) for name in sums})
        .order_by(),
        *sums,
    )
    table: list[list[Any]] = []
    for week in period_weeks(filters):
        r_met, r_breached, s_met, s_breached = weeks.get(week, (0, 0, 0, 0))
        r_total, s_total = r_met + r_breached, s_met + s_breached
        table.append(
            [week.isoformat(), percent(r_met, r_total), percent(s_met, s_total), r_total, s_total]
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
            {"label": "First response met", "value": percent(*response), "unit": "%"},
            {"label": "Resolution met", "value": percent(*resolution), "unit": "%"},
        ],
        targets=[
            {"label": "Response target", "value": targets[TargetKey.SLA_RESPONSE]},
            {"label": "Resolution target", "value": targets[TargetKey.SLA_RESOLUTION]},
        ],
    )


def dashboard_sla_now(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Open tickets whose SLA clock has breached, or is about to, right now."""
    from django.urls import reverse

    sums = open_now_snapshot(scope, filters).aggregate(
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
        links.append(link_to(base, {**query, "metric": metric.value, "which": "breached"}))
    return Figure(
        metric="sla_now",
        title="Breaches and tickets at risk now",
        help="Open tickets whose first-response or resolution clock has passed its target "
        "(breached), or has less than a quarter of its target left (at risk). Paused clocks "
        "are not at risk. Team, service, priority and channel filters apply; the date range "
        "does not (this is the state now)." + OPEN_NOW_FRESHNESS,
        columns=["Clock", "Breached", "At risk"],
        rows=rows,
        # Tones, not colours: the page draws them in its danger and warning colours.
        chart={"type": "bar", "x": 0, "series": [1, 2], "tones": ["danger", "warning"]},
        summary=[
            {"label": "Breached now", "value": sum(r[1] for r in rows), "url": links[1]},
            {"label": "At risk", "value": sum(r[2] for r in rows)},
        ],
        row_links=links,
    )


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
    needed = needed_dimensions(scope, filters)
    metrics = (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION)
    if any(needed <= grain for grain in DURATION_GRAINS):
        grain = smallest_grain(DURATION_GRAINS, needed)
        bands: dict[str, list[tuple[int, int, float]]] = {metric: [] for metric in metrics}
        for row in (
            DashboardDailyDuration.objects.filter(
                dimension_q(scope, filters),
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
    aggregates: dict[str, Any] = {}
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
    totals: dict[str, Any] = DashboardTicketFact.objects.filter(
        either, dimension_q(scope, filters)
    ).aggregate(**aggregates)
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
        rows.append([label, seconds_as_hours(mean), seconds_as_hours(median), n])
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
