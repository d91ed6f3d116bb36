"""Read-only figures of the manager dashboards (DESIGN §1: continual improvement).

Every figure is one or two aggregate queries; no ticket rows are shipped to the browser. Who
sees what is decided once, in `dashboard_scope_for`, and every selector narrows its rows by
that scope in SQL, so a team lead cannot widen it by editing the query string.

Two sources:
- Figures over a date range read the rollup (`itsm.dashboards.rollup`): daily sums per
  filter dimension, kept up to date by a beat task every few minutes (`ROLLUP_FRESHNESS`),
  so a million tickets cost the same as a thousand. Each reads the smallest grain that
  still holds the dimensions its filters and scope need (`summary`).
- Figures about now (breaches and tickets at risk, backlog age, open workload) read the
  open-ticket snapshot the same refresh takes (`DashboardOpenNow`): counting several
  hundred thousand open tickets live costs more than the whole overview's budget. The
  drill-down list behind a breach count stays live (`drilldown`).

Business time: time to first response and time to resolve are read from the SLA clocks.
A clock stores, when it stops, the business time it ran (`elapsed`, calendar-aware, paused
time excluded), so averaging it needs no per-row calendar arithmetic. Tickets without an
SLA policy have no clocks and are not in those two figures (their help text says so).

One module per concept: `scope` and `filters` (who sees what, which tickets), `figure` (the
shape of a figure), `targets`, `summary` (reading the rollup), the overview's `sla`,
`flow`, `quality`, `workload` and `time_worked` figures, the desk-wide `processes` figures,
`metrics` (the figures by URL name) and `drilldown` (the lists behind the counts). Callers
import from here.
"""

from itsm.dashboards.selectors.drilldown import (
    DRILL_COUNT_CAP,
    DRILL_PAGE_SIZE,
    SLA_TICKET_COLUMNS,
    DrillCursor,
    SlaTicketPage,
    dashboard_sla_ticket_page,
    dashboard_sla_ticket_rows,
)
from itsm.dashboards.selectors.figure import Figure
from itsm.dashboards.selectors.filters import DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, DashboardFilters
from itsm.dashboards.selectors.flow import (
    dashboard_backlog_age,
    dashboard_created_resolved,
    dashboard_volume_category,
    dashboard_volume_channel,
    dashboard_volume_service,
)
from itsm.dashboards.selectors.metrics import OVERVIEW_METRICS, PROCESS_METRICS, FigureBuilder
from itsm.dashboards.selectors.processes import (
    dashboard_changes,
    dashboard_knowledge,
    dashboard_major_incidents,
    dashboard_problems,
)
from itsm.dashboards.selectors.quality import (
    dashboard_csat,
    dashboard_first_contact_resolution,
    dashboard_reassignment,
)
from itsm.dashboards.selectors.scope import (
    DashboardScope,
    dashboard_figures_label,
    dashboard_filter_choices,
    dashboard_process_access,
    dashboard_scope_for,
)
from itsm.dashboards.selectors.sla import (
    dashboard_response_times,
    dashboard_sla_compliance,
    dashboard_sla_now,
)
from itsm.dashboards.selectors.summary import dashboard_figures_as_of
from itsm.dashboards.selectors.targets import dashboard_targets
from itsm.dashboards.selectors.time_worked import dashboard_time_category, dashboard_time_service
from itsm.dashboards.selectors.workload import dashboard_workload_agent, dashboard_workload_team

__all__ = [
    "DEFAULT_RANGE_DAYS",
    "DRILL_COUNT_CAP",
    "DRILL_PAGE_SIZE",
    "MAX_RANGE_DAYS",
    "OVERVIEW_METRICS",
    "PROCESS_METRICS",
    "SLA_TICKET_COLUMNS",
    "DashboardFilters",
    "DashboardScope",
    "DrillCursor",
    "Figure",
    "FigureBuilder",
    "SlaTicketPage",
    "dashboard_backlog_age",
    "dashboard_changes",
    "dashboard_created_resolved",
    "dashboard_csat",
    "dashboard_figures_as_of",
    "dashboard_figures_label",
    "dashboard_filter_choices",
    "dashboard_first_contact_resolution",
    "dashboard_knowledge",
    "dashboard_major_incidents",
    "dashboard_problems",
    "dashboard_process_access",
    "dashboard_reassignment",
    "dashboard_response_times",
    "dashboard_scope_for",
    "dashboard_sla_compliance",
    "dashboard_sla_now",
    "dashboard_sla_ticket_page",
    "dashboard_sla_ticket_rows",
    "dashboard_targets",
    "dashboard_time_category",
    "dashboard_time_service",
    "dashboard_volume_category",
    "dashboard_volume_channel",
    "dashboard_volume_service",
    "dashboard_workload_agent",
    "dashboard_workload_team",
]
