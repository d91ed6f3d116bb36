"""Process views: changes, problems, knowledge and major incidents (desk-wide figures).

These read the process apps' models through `django.apps` at call time and degrade to an
empty state (`Figure.unavailable`) when a model or field they need is not there: the
change, problem and release apps are still growing, and a dashboard must not 500 because
of it. Only the date range of the filters applies (process records have no desk team).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Avg, Count, Exists, F, Min, OuterRef, Q
from django.db.utils import DatabaseError
from django.utils import timezone

from itsm.dashboards.models import TargetKey
from itsm.dashboards.selectors import DashboardFilters, DashboardScope, Figure, _hours, _pct

TOP_ARTICLES = 10
CAB_HORIZON_DAYS = 14


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _unavailable(metric: str, title: str, reason: str) -> Figure:
    return Figure(metric=metric, title=title, help="", columns=[], rows=[], unavailable=reason)


def _guarded(metric: str, title: str):
    """Turn a missing model/field into the figure's empty state instead of an error."""

    def decorate(build):
        def wrapper(**kwargs: Any) -> Figure:
            try:
                return build(**kwargs)
            except (FieldError, LookupError, AttributeError, DatabaseError) as exc:
                return _unavailable(metric, title, f"Not available yet: {exc}")

        wrapper.__name__ = build.__name__
        wrapper.__doc__ = build.__doc__
        return wrapper

    return decorate


# --- Changes ---


@_guarded("changes", "Change management")
def dashboard_changes(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Success rate, emergency share, changes causing incidents and the coming CAB load."""
    change_model = _model("changes.ChangeRequest")
    if change_model is None:
        return _unavailable("changes", "Change management", "The changes app has no model yet.")
    from changes.choices import SUCCESS_OUTCOMES, ChangeRequestStatus, ChangeType

    in_period = Q(created_at__gte=filters.start, created_at__lt=filters.end)
    reviewed = Q(reviewed_at__gte=filters.start, reviewed_at__lt=filters.end) & ~Q(
        review_outcome=""
    )
    now = timezone.now()
    links = _model("changes.ChangeIncidentLink")
    caused = Exists(links.objects.filter(change=OuterRef("pk"))) if links else None
    figures = change_model.objects.aggregate(
        raised=Count("id", filter=in_period),
        emergency=Count("id", filter=in_period & Q(change_type=ChangeType.EMERGENCY)),
        reviewed=Count("id", filter=reviewed),
        successful=Count("id", filter=reviewed & Q(review_outcome__in=SUCCESS_OUTCOMES)),
        awaiting_cab=Count("id", filter=Q(status=ChangeRequestStatus.CAB)),
        upcoming=Count(
            "id",
            filter=Q(
                status__in=(ChangeRequestStatus.SCHEDULED, ChangeRequestStatus.CAB),
                planned_start__gte=now,
                planned_start__lt=now + timedelta(days=CAB_HORIZON_DAYS),
            ),
        ),
    )
    causing = (
        change_model.objects.filter(reviewed).filter(caused).count() if caused is not None else 0
    )
    success = _pct(figures["successful"], figures["reviewed"])
    rows = [
        ["Changes raised in period", figures["raised"]],
        ["Emergency changes (%)", _pct(figures["emergency"], figures["raised"])],
        ["Changes reviewed in period", figures["reviewed"]],
        ["Change success rate (%)", success],
        ["Reviewed changes that caused incidents", causing],
        ["Awaiting CAB now", figures["awaiting_cab"]],
        [f"Scheduled to start in the next {CAB_HORIZON_DAYS} days", figures["upcoming"]],
    ]
    return Figure(
        metric="changes",
        title="Change management",
        help="Success rate: of the changes whose post-implementation review was recorded in "
        "the period, the share reviewed as successful (with or without issues). Emergency "
        "share: of the changes raised in the period. Causing incidents: reviewed changes an "
        "agent linked an incident to. CAB load: changes awaiting the CAB now and changes "
        "planned to start soon.",
        columns=["Measure", "Value"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
        summary=[{"label": "Change success rate", "value": success, "unit": "%"}],
        targets=[
            {
                "label": "Success target",
                "value": targets[TargetKey.CHANGE_SUCCESS],
                "summary": True,
            }
        ],
    )


# --- Problems ---


@_guarded("problems", "Problem management")
def dashboard_problems(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Open problems by state, with known errors and linked incidents."""
    problem_model = _model("problems.Problem")
    if problem_model is None:
        return _unavailable("problems", "Problem management", "The problems app has no model.")
    from problems.choices import ProblemStatus

    counts = {
        row["status"]: row
        for row in problem_model.objects.values("status")
        .annotate(
            n=Count("id", distinct=True),
            known=Count("id", filter=Q(is_known_error=True), distinct=True),
            incidents=Count("incident_links", distinct=True),
        )
        .order_by()
    }
    rows = []
    for value, label in ProblemStatus.choices:
        row = counts.get(value, {"n": 0, "known": 0, "incidents": 0})
        rows.append([str(label), row["n"], row["known"], row["incidents"]])
    return Figure(
        metric="problems",
        title="Problem management",
        help="Problems by state now, how many of them are published known errors (with a "
        "workaround agents can use), and the incidents linked to them.",
        columns=["State", "Problems", "Known errors", "Linked incidents"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1, 2]},
        summary=[
            {"label": "Known errors", "value": sum(r[2] for r in rows)},
            {"label": "Incidents linked", "value": sum(r[3] for r in rows)},
        ],
    )


# --- Knowledge ---


@_guarded("knowledge", "Knowledge")
def dashboard_knowledge(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Top articles by deflections in the period, with views, and articles due for review."""
    article_model = _model("knowledge.Article")
    deflection_model = _model("portal.Deflection")
    if article_model is None:
        return _unavailable("knowledge", "Knowledge", "The knowledge app has no model.")
    deflections = 0
    if deflection_model is not None:
        deflections = deflection_model.objects.filter(
            created_at__gte=filters.start, created_at__lt=filters.end
        ).count()
        period = Q(
            deflections__created_at__gte=filters.start, deflections__created_at__lt=filters.end
        )
        top = (
            article_model.objects.filter(status="published")
            .annotate(deflected=Count("deflections", filter=period))
            .order_by("-deflected", "-view_count", "id")
            .values_list("number", "title", "deflected", "view_count")[:TOP_ARTICLES]
        )
    else:
        top = (
            article_model.objects.filter(status="published")
            .order_by("-view_count", "id")
            .values_list("number", "title", F("view_count") * 0, "view_count")[:TOP_ARTICLES]
        )
    due = article_model.objects.filter(
        status="published", review_by__lt=timezone.localdate()
    ).count()
    rows = [[f"{number} {title}", deflected, views] for number, title, deflected, views in top]
    return Figure(
        metric="knowledge",
        title="Knowledge",
        help="Deflections: requesters who said a suggested article solved their issue instead "
        "of raising a ticket, in the period. Views are all-time. Articles needing review are "
        "published ones past their review date.",
        columns=["Article", "Deflections in period", "Views"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
        summary=[
            {"label": "Tickets deflected", "value": deflections},
            {"label": "Articles needing review", "value": due},
        ],
    )


# --- Major incidents ---


@_guarded("major_incidents", "Major incidents")
def dashboard_major_incidents(
    *, scope: DashboardScope, filters: DashboardFilters, targets: dict[str, float]
) -> Figure:
    """Major incidents declared in the period: how many, how long, how fast the first update."""
    major_model = _model("tickets.MajorIncident")
    if major_model is None:
        return _unavailable("major_incidents", "Major incidents", "No major-incident model.")
    declared = major_model.objects.filter(
        declared_at__gte=filters.start, declared_at__lt=filters.end
    )
    figures = declared.aggregate(
        n=Count("id"),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        duration=Avg(F("resolved_at") - F("declared_at")),
    )
    first_update = declared.annotate(first=Min("updates__created_at")).aggregate(
        mean=Avg(F("first") - F("declared_at"))
    )["mean"]
    rows = [
        ["Declared in period", figures["n"]],
        ["Resolved", figures["resolved"]],
        ["Mean duration (hours)", _hours(figures["duration"])],
        ["Mean time to first update (hours)", _hours(first_update)],
    ]
    return Figure(
        metric="major_incidents",
        title="Major incidents",
        help="Major incidents declared in the period. Duration: declaration to resolution of "
        "the resolved ones (wall clock). Time to first update: declaration to the first "
        "status update posted to stakeholders.",
        columns=["Measure", "Value"],
        rows=rows,
        chart={"type": "bar", "x": 0, "series": [1], "horizontal": True},
        summary=[
            {"label": "Major incidents", "value": figures["n"]},
            {"label": "Mean duration", "value": _hours(figures["duration"]), "unit": "h"},
        ],
    )


PROCESS_METRICS = {
    "changes": dashboard_changes,
    "problems": dashboard_problems,
    "knowledge": dashboard_knowledge,
    "major_incidents": dashboard_major_incidents,
}
