"""Manager dashboards: the pages are shells; figures come from `/dashboards/api/<metric>.json`
(drawn by static/js/dashboards.js with Chart.js, with a table of the same numbers), and the
same endpoint answers `?format=csv` for the download."""

import csv
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from itsm.core.views import desk_view
from itsm.dashboards.forms import DashboardFilterForm
from itsm.dashboards.selectors import (
    DRILL_PAGE_SIZE,
    OVERVIEW_METRICS,
    PROCESS_METRICS,
    SLA_TICKET_COLUMNS,
    DashboardFilters,
    DashboardScope,
    DrillCursor,
    dashboard_figures_as_of,
    dashboard_figures_label,
    dashboard_filter_choices,
    dashboard_process_access,
    dashboard_scope_for,
    dashboard_sla_ticket_page,
    dashboard_sla_ticket_rows,
    dashboard_targets,
)
from tickets.sla.rules import SlaMetric

# (metric, title, card width): the order the overview shows its cards in.
OVERVIEW_CARDS = [
    ("sla_compliance", "SLA compliance", "wide"),
    ("sla_now", "Breaches and tickets at risk now", ""),
    ("backlog_age", "Open backlog by age", ""),
    ("created_resolved", "Created vs resolved per day", "wide"),
    ("response_times", "Time to first response and to resolve", ""),
    ("csat", "Customer satisfaction", ""),
    ("first_contact_resolution", "First-contact resolution", ""),
    ("reassignment", "Reassignment rate", ""),
    ("volume_category", "Volume by category", ""),
    ("volume_service", "Volume by service", ""),
    ("volume_channel", "Volume by channel", ""),
    ("workload_team", "Team workload", "wide"),
    ("workload_agent", "Agent workload", "wide"),
    ("time_category", "Time worked per resolved ticket by category", ""),
    ("time_service", "Time worked per resolved ticket by service", ""),
]
PROCESS_CARDS = [
    ("changes", "Change management", ""),
    ("problems", "Problem management", ""),
    ("knowledge", "Knowledge", ""),
    ("major_incidents", "Major incidents", ""),
]
# Cells a spreadsheet would run as a formula (CSV injection): prefixed with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filter_form(request: HttpRequest, scope) -> DashboardFilterForm:
    teams, services = dashboard_filter_choices(scope)
    default = DashboardFilters.default()
    return DashboardFilterForm(
        request.GET or None,
        initial={"date_from": default.date_from, "date_to": default.date_to},
        teams=teams,
        services=services,
    )


def _form_and_filters(
    request: HttpRequest, scope: DashboardScope
) -> tuple[DashboardFilterForm, DashboardFilters]:
    form = _filter_form(request, scope)
    filters = form.filters() if form.is_bound and form.is_valid() else DashboardFilters.default()
    return form, filters


def _page(
    request: HttpRequest,
    template: str,
    cards: list,
    scope: DashboardScope,
    form: DashboardFilterForm,
    filters: DashboardFilters,
    **extra,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "form": form,
            "filters": filters,
            "query": urlencode(filters.as_query()),
            "cards": cards,
            "scope": scope,
            "show_team_filter": scope.everything or bool(scope.team_ids),
            "process_access": dashboard_process_access(request.user),
            **extra,
        },
    )


@desk_view
def overview(request: HttpRequest) -> HttpResponse:
    """The service desk overview: SLA, backlog, flow, speed, quality and workload. Its
    figures come from the rollup, so the page says how fresh they are, and its heading says
    whose tickets they are of (the team filter's team, when one is chosen)."""
    scope = dashboard_scope_for(request.user)
    form, filters = _form_and_filters(request, scope)
    return _page(
        request,
        "dashboards/overview.html",
        OVERVIEW_CARDS,
        scope,
        form,
        filters,
        as_of=dashboard_figures_as_of(),
        figures_label=dashboard_figures_label(scope=scope, filters=filters),
    )


@desk_view
def processes(request: HttpRequest) -> HttpResponse:
    """Changes, problems, knowledge and major incidents, desk-wide."""
    scope = dashboard_scope_for(request.user)
    if not dashboard_process_access(request.user):
        raise PermissionDenied("Process dashboards are for managers and process owners.")
    form, filters = _form_and_filters(request, scope)
    return _page(request, "dashboards/processes.html", PROCESS_CARDS, scope, form, filters)


@desk_view
def metric_data(request: HttpRequest, metric: str) -> HttpResponse:
    """One figure as JSON (for the chart and its table) or, with `format=csv`, as CSV."""
    if metric in OVERVIEW_METRICS:
        build = OVERVIEW_METRICS[metric]
        scope = dashboard_scope_for(request.user)
    elif metric in PROCESS_METRICS:
        build = PROCESS_METRICS[metric]
        scope = dashboard_scope_for(request.user)
        if not dashboard_process_access(request.user):
            raise PermissionDenied("Process dashboards are for managers and process owners.")
    else:
        raise Http404("No such figure.")
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    filters = form.filters()
    figure = build(scope=scope, filters=filters, targets=dashboard_targets())
    if request.GET.get("format") == "csv":
        return _csv(figure, filters)
    return JsonResponse({**figure.as_dict(), "filters": filters.as_query(), "scope": scope.label})


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _csv(figure, filters: DashboardFilters) -> HttpResponse:
    name = f"{figure.metric}_{filters.date_from}_{filters.date_to}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(figure.columns)
    for row in figure.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return response


def _drill_url(query: dict[str, str], **extra: str) -> str:
    return f"{reverse('dashboards:sla-tickets')}?{urlencode({**query, **extra})}"


@desk_view
def sla_tickets(request: HttpRequest) -> HttpResponse:
    """The open tickets behind a "breached" or "at risk" count, linking to each ticket: a
    page of DRILL_PAGE_SIZE at a time (`after` is the keyset cursor), or the whole list with
    `format=csv`."""
    scope = dashboard_scope_for(request.user)
    form = DashboardFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else DashboardFilters.default()
    metric = request.GET.get("metric", SlaMetric.RESOLUTION)
    which = request.GET.get("which", "breached")
    if metric not in SlaMetric.values or which not in ("breached", "at_risk"):
        raise Http404("No such list.")
    wanted: dict[str, Any] = {"scope": scope, "filters": filters, "metric": metric, "which": which}
    if request.GET.get("format") == "csv":
        return _sla_tickets_csv(dashboard_sla_ticket_rows(**wanted), metric=metric, which=which)
    try:
        after = DrillCursor.decode(request.GET["after"]) if request.GET.get("after") else None
        number = int(request.GET.get("page", "1")) if after else 1
    except ValueError:
        return HttpResponseBadRequest("Not a page of this list.")
    page = dashboard_sla_ticket_page(**wanted, after=after)
    query = {**filters.as_query(), "metric": metric, "which": which}
    first = (max(number, 1) - 1) * DRILL_PAGE_SIZE + 1
    return render(
        request,
        "dashboards/sla_tickets.html",
        {
            "page": page,
            "clocks": page.clocks,
            "first_row": first,
            "last_row": first + len(page.clocks) - 1,
            "next_url": _drill_url(
                query, after=page.next_cursor.encode(), page=str(max(number, 1) + 1)
            )
            if page.next_cursor
            else "",
            "first_url": _drill_url(query) if after else "",
            "csv_url": _drill_url(query, format="csv"),
            "metric_label": SlaMetric(metric).label,
            "which": which,
            "figures_label": dashboard_figures_label(scope=scope, filters=filters),
            "back": f"{reverse('dashboards:overview')}?{urlencode(filters.as_query())}",
        },
    )


def _sla_tickets_csv(rows, *, metric: str, which: str) -> HttpResponse:
    name = f"sla_{which}_{metric}_{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(SLA_TICKET_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return response
