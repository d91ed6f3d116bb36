"""Every figure the dashboards serve, by the metric name in its URL
(`/dashboards/api/<metric>.json`): the overview's, then the process views'."""

from collections.abc import Callable

from itsm.dashboards.selectors.figure import Figure
from itsm.dashboards.selectors.flow import (
    dashboard_backlog_age,
    dashboard_created_resolved,
    dashboard_volume_category,
    dashboard_volume_channel,
    dashboard_volume_service,
)
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
from itsm.dashboards.selectors.sla import (
    dashboard_response_times,
    dashboard_sla_compliance,
    dashboard_sla_now,
)
from itsm.dashboards.selectors.time_worked import dashboard_time_category, dashboard_time_service
from itsm.dashboards.selectors.workload import dashboard_workload_agent, dashboard_workload_team

# Every builder takes scope, filters and targets as keywords and returns one Figure.
FigureBuilder = Callable[..., Figure]

OVERVIEW_METRICS: dict[str, FigureBuilder] = {
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
    "time_category": dashboard_time_category,
    "time_service": dashboard_time_service,
}
PROCESS_METRICS: dict[str, FigureBuilder] = {
    "changes": dashboard_changes,
    "problems": dashboard_problems,
    "knowledge": dashboard_knowledge,
    "major_incidents": dashboard_major_incidents,
}
