"""Desk pages of change management: list, create, detail (risk, CAB votes, moves), CAB agenda,
change calendar (month/week/list) and its iCalendar feed."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from changes import calendar, ical, selectors, services, workflow
from changes.choices import STATUS_BADGE, ChangeRequestStatus
from changes.fields import CHANGE_DESK_FIELDS, CHANGE_SCOPE_FIELDS
from changes.filtersets import ChangeRequestFilterSet
from changes.forms import (
    ChangeCreateForm,
    ChangeEditForm,
    ChangePublicTitleForm,
    DecisionForm,
    LinkIncidentForm,
    RiskForm,
    RiskOverrideForm,
    TransitionForm,
)
from changes.impact import change_impact
from itsm.accounts.models import User
from itsm.accounts.roles import Role, user_has_role, user_is_staff_member
from itsm.audit.selectors import audit_list_for_record
from itsm.core.exceptions import DomainError, StaleVersion
from itsm.core.refusals import errors_into, refusal_page
from itsm.core.views import desk_view

PAGE_SIZE = 50
LIST_VIEW_DAYS = 31
MONTH_CELL_LIMIT = 6  # changes shown per day in the month grid; the rest as "+N more"
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365


@desk_view
def changerequest_list(request: HttpRequest) -> HttpResponse:
    filterset = ChangeRequestFilterSet(
        request.GET, queryset=selectors.change_list_for_desk(user=request.user)
    )
    page = Paginator(filterset.qs.order_by("-created_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = "changes/_change_table.html" if request.htmx else "changes/change_list.html"
    return render(
        request,
        template,
        {
            "filterset": filterset,
            "page": page,
            "success": selectors.change_success_rate(),
            "can_raise": request.user.has_perm("changes.add_changerequest"),
        },
    )


@desk_view
def changerequest_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("changes.add_changerequest"):
        return render(
            request, "errors/403.html", {"reason": "You cannot raise changes."}, status=403
        )
    form = ChangeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with errors_into(form):
            change = services.change_create(actor=request.user, **data)
            messages.success(request, f"{change.number} raised as a draft.")
            return redirect(change.get_absolute_url())
    return render(
        request, "changes/change_create.html", {"form": form}, status=400 if form.errors else 200
    )


@desk_view
def changerequest_edit(request: HttpRequest, number: str) -> HttpResponse:
    """Edit a change while it is a draft or in assessment; a stale version keeps the input."""
    change = selectors.change_get_for_user(user=request.user, number=number)
    if not request.user.has_perm("changes.change_changerequest") and change.requested_by_id != (
        request.user.pk
    ):
        return render(
            request, "errors/403.html", {"reason": "You cannot edit this change."}, status=403
        )
    initial = {
        name: getattr(change, name)
        for name in CHANGE_DESK_FIELDS
        if name not in CHANGE_SCOPE_FIELDS
    }
    initial.update(
        version=change.version, services=list(change.services.all()), cis=list(change.cis.all())
    )
    form = ChangeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        with errors_into(form):
            change = services.change_update(
                change=change, actor=request.user, expected_version=version, **data
            )
            messages.success(request, f"{change.number} saved.")
            return redirect(change.get_absolute_url())
    return render(
        request,
        "changes/change_edit.html",
        {"form": form, "change": change},
        status=400 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, change, **forms) -> dict:
    roles = services.change_roles(actor=request.user, change=change)
    return {
        "change": change,
        "conflicts": selectors.change_conflicts(change=change),
        "impact": change_impact(change=change),
        "transitions": workflow.allowed_transitions(change, roles=roles),
        "can_manage": workflow.MANAGE in roles,
        "is_change_manager": user_has_role(request.user, Role.CHANGE_MANAGER),
        "can_vote": services.change_can_vote(change=change, actor=request.user),
        "timeline": audit_list_for_record(record=change),
        "transition_form": forms.get("transition_form")
        or TransitionForm(initial={"version": change.version}),
        "risk_form": forms.get("risk_form")
        or RiskForm(initial={"version": change.version, **change.risk_answers}),
        "override_form": forms.get("override_form")
        or RiskOverrideForm(
            initial={
                "version": change.version,
                "level": change.risk_override_level,
                "reason": change.risk_override_reason,
            }
        ),
        "decision_form": DecisionForm(),
        "can_reword": bool(roles) and change.status not in services.FINISHED_STATUSES,
        "public_title_form": forms.get("public_title_form")
        or ChangePublicTitleForm(
            initial={"version": change.version, "public_title": change.public_title}
        ),
    }


@desk_view
def changerequest_detail(request: HttpRequest, number: str) -> HttpResponse:
    change = selectors.change_get_for_user(user=request.user, number=number)
    return render(request, "changes/change_detail.html", _detail_context(request, change))


def _refused(request: HttpRequest, number: str, error: DomainError, **forms) -> HttpResponse:
    change = selectors.change_get_for_user(user=request.user, number=number)
    if isinstance(error, StaleVersion):
        messages.warning(
            request,
            "Someone else changed this change while you were working on it. The page shows "
            "the current version; your input is kept — check it and send again.",
        )
        for form in forms.values():
            form.data = form.data.copy()
            form.data["version"] = change.version
    else:
        messages.error(request, error.message)
    status = error.status_code
    return render(
        request,
        "changes/change_detail.html",
        _detail_context(request, change, **forms),
        status=status,
    )


def _refused_on_change_page(form_name: str, form_class: type[Form]):
    """`_refused` for a service's refusal, with the sent form bound to what was typed."""

    def page(request: HttpRequest, error: DomainError, number: str) -> HttpResponse:
        return _refused(request, number, error, **{form_name: form_class(request.POST)})

    return refusal_page(page)


@desk_view
@require_POST
@_refused_on_change_page("transition_form", TransitionForm)
def changerequest_transition(request: HttpRequest, number: str) -> HttpResponse:
    change = selectors.change_get_for_user(user=request.user, number=number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, number, DomainError("Choose the new status."), transition_form=form
        )
    data = dict(form.cleaned_data)
    services.change_transition(
        change=change,
        actor=request.user,
        expected_version=data.pop("version"),
        to_status=data.pop("to_status"),
        **data,
    )
    messages.success(request, "Status updated.")
    return redirect(change.get_absolute_url())


@desk_view
@require_POST
@_refused_on_change_page("public_title_form", ChangePublicTitleForm)
def changerequest_public_title(request: HttpRequest, number: str) -> HttpResponse:
    """Reword the requesters' title while the change is live (after the edit page closes)."""
    change = selectors.change_get_for_user(user=request.user, number=number)
    form = ChangePublicTitleForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            number,
            DomainError("Write the title requesters will read."),
            public_title_form=form,
        )
    assert isinstance(request.user, User)  # desk_view signed the person in
    services.change_set_public_title(
        change=change,
        actor=request.user,
        expected_version=form.cleaned_data["version"],
        public_title=form.cleaned_data["public_title"],
    )
    messages.success(request, "The requesters' wording is saved.")
    return redirect(change.get_absolute_url())


@desk_view
@require_POST
@_refused_on_change_page("risk_form", RiskForm)
def changerequest_risk(request: HttpRequest, number: str) -> HttpResponse:
    change = selectors.change_get_for_user(user=request.user, number=number)
    form = RiskForm(request.POST)
    if not form.is_valid():
        return _refused(request, number, DomainError("Answer every question."), risk_form=form)
    answers = dict(form.cleaned_data)
    version = answers.pop("version")
    services.change_assess_risk(
        change=change, actor=request.user, expected_version=version, answers=answers
    )
    messages.success(request, "Risk assessed.")
    return redirect(change.get_absolute_url())


@desk_view
@require_POST
@_refused_on_change_page("override_form", RiskOverrideForm)
def changerequest_risk_override(request: HttpRequest, number: str) -> HttpResponse:
    change = selectors.change_get_for_user(user=request.user, number=number)
    form = RiskOverrideForm(request.POST)
    if not form.is_valid():
        return _refused(request, number, DomainError("Check the override."), override_form=form)
    services.change_override_risk(
        change=change,
        actor=request.user,
        expected_version=form.cleaned_data["version"],
        level=form.cleaned_data["level"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request,
        "Risk level overridden." if form.cleaned_data["level"] else "Risk override removed.",
    )
    return redirect(change.get_absolute_url())


@desk_view
@require_POST
def changerequest_decide(request: HttpRequest, number: str) -> HttpResponse:
    change = selectors.change_get_for_user(user=request.user, number=number)
    form = DecisionForm(request.POST)
    back = request.POST.get("next") or change.get_absolute_url()
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = change.get_absolute_url()
    if not form.is_valid():
        messages.error(request, "Approve or reject.")
        return redirect(back)
    try:
        change = services.change_decide(
            change=change,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        if error.status_code == 403:
            return render(request, "errors/403.html", {"reason": error.message}, status=403)
        messages.error(request, error.message)
        return redirect(back)
    verb = "approved" if form.cleaned_data["decision"] == "approved" else "rejected"
    messages.success(
        request,
        f"You {verb} {change.number}. CAB decision: {change.get_cab_decision_display().lower()}.",
    )
    return redirect(back)


@desk_view
@require_POST
def changerequest_link_incident(request: HttpRequest, number: str) -> HttpResponse:
    """An agent links an incident as caused by this change (from the ticket page)."""
    from tickets.selectors import ticket_get_for_user

    change = selectors.change_get_for_user(user=request.user, number=number)
    form = LinkIncidentForm(request.POST)
    back = request.POST.get("next") or change.get_absolute_url()
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = change.get_absolute_url()
    if not form.is_valid():
        messages.error(request, "Give the incident number.")
        return redirect(back)
    incident = ticket_get_for_user(user=request.user, number=form.cleaned_data["incident"])
    services.change_link_incident(change=change, incident=incident, actor=request.user)
    messages.success(request, f"{incident.number} linked as caused by {change.number}.")
    return redirect(back)


@desk_view
def cab_agenda(request: HttpRequest) -> HttpResponse:
    """Changes awaiting a CAB decision with their risk, conflicts and votes so far."""
    agenda = selectors.cab_agenda(user=request.user)
    rows = [
        {
            "change": change,
            "conflicts": conflicts,
            "can_vote": services.change_can_vote(change=change, actor=request.user),
        }
        for change, conflicts in agenda
    ]
    return render(
        request, "changes/cab_agenda.html", {"rows": rows, "decision_form": DecisionForm()}
    )


# --- Calendar ---


def _parse_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _render_chips(weeks: list) -> None:
    """Each day's change chips as one pre-escaped HTML string: a month at 50k changes shows
    hundreds of chips, and rendering them node by node in the template cost most of the page
    time (bench/bench_changes.py)."""
    detail = reverse("changes:desk-change-detail", args=["NUMBER"])
    labels = dict(ChangeRequestStatus.choices)
    for week in weeks:
        for day in week:
            day.chips = format_html_join(
                "",
                '<a class="chip chip-{}" href="{}" title="{} ({})">{} {}</a>',
                (
                    (
                        STATUS_BADGE.get(c.status, "neutral"),
                        detail.replace("NUMBER", c.number),
                        c.title,
                        labels.get(c.status, c.status),
                        c.number,
                        Truncator(c.title).chars(24),
                    )
                    for c in day.changes
                ),
            )


@desk_view
def change_calendar(request: HttpRequest) -> HttpResponse:
    """Forward schedule of change: month (default), week or list, by service and team."""
    view = request.GET.get("view", "month")
    if view not in ("month", "week", "list"):
        view = "month"
    day = _parse_day(request.GET.get("date"))
    service_id = _int_or_none(request.GET.get("service"))
    team_id = _int_or_none(request.GET.get("team"))
    tz = timezone.get_current_timezone()
    if view == "month":
        first, last = calendar.month_bounds(day.year, day.month)
        previous = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    elif view == "week":
        first, last = calendar.week_bounds(day)
        previous, following = day - timedelta(days=7), day + timedelta(days=7)
    else:
        first, last = day, day + timedelta(days=LIST_VIEW_DAYS)
        previous, following = day - timedelta(days=LIST_VIEW_DAYS), last
    changes, blackouts = selectors.change_list_for_calendar(
        user=request.user,
        start=calendar.local_midnight(first, tz),
        end=calendar.local_midnight(last, tz),
        service_id=service_id,
        team_id=team_id,
        as_rows=view != "list",
    )
    weeks = []
    if view != "list":
        weeks = calendar.lay_out(
            start=first,
            end=last,
            tz=tz,
            changes=changes,
            blackouts=blackouts,
            period_month=day.month if view == "month" else None,
            max_per_day=MONTH_CELL_LIMIT if view == "month" else None,
        )
    _render_chips(weeks)
    rows = calendar.list_rows(changes=changes, blackouts=blackouts) if view == "list" else []
    filters = "".join(
        f"&{name}={value}" for name, value in (("service", service_id), ("team", team_id)) if value
    )
    return render(
        request,
        "changes/calendar.html",
        {
            "view": view,
            "day": day,
            "first": first,
            "last": last - timedelta(days=1),
            "weeks": weeks,
            "rows": rows,
            "previous": previous,
            "following": following,
            "filters": filters,
            "services": selectors.service_list_for_calendar_filter(),
            "teams": selectors.team_list_for_calendar_filter(),
            "service_id": service_id,
            "team_id": team_id,
            "calendar_token": selectors.calendar_token_get(user=request.user),
        },
    )


@desk_view
@require_POST
@never_cache
def change_calendar_token_create(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the user's calendar feed token and show its link, this once only:
    the page is the one place the secret appears, so it is rendered here, not redirected to
    (and never stored in the session or a message)."""
    secret = services.calendar_token_create(user=request.user)
    return render(request, "changes/calendar_token.html", {"secret": secret})


@desk_view
@require_POST
def change_calendar_token_revoke(request: HttpRequest) -> HttpResponse:
    if services.calendar_token_revoke(user=request.user):
        messages.success(request, "Calendar link revoked: subscriptions using it stop updating.")
    return redirect("changes:desk-change-calendar")


def _feed_user(request: HttpRequest):
    if user_is_staff_member(request.user):
        return request.user
    secret = request.GET.get("token", "")
    header = request.headers.get("Authorization", "")
    if header.startswith("Token "):
        secret = header.removeprefix("Token ").strip()
    return selectors.calendar_token_get_user(secret=secret)


def change_calendar_ics(request: HttpRequest) -> HttpResponse:
    """iCalendar feed of the change calendar (RFC 5545), for calendar subscriptions.

    Auth: the desk session, or the user's read-only calendar feed token (made on the
    calendar page) as `?token=<key>` (calendar clients cannot send headers) or an
    `Authorization: Token <key>` header; API tokens are not accepted, so no URL ever carries
    one. Only desk staff get the feed; anyone else gets 401. Covers 30 days back to a year
    ahead; `service` and `team` filter like the calendar page.
    """
    user = _feed_user(request)
    if user is None:
        response = HttpResponse(
            "Sign in or use your calendar link.", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Token realm="change calendar"'
        return response
    now = timezone.now()
    changes, blackouts = selectors.change_list_for_calendar(
        user=user,
        start=now - timedelta(days=FEED_PAST_DAYS),
        end=now + timedelta(days=FEED_FUTURE_DAYS),
        service_id=_int_or_none(request.GET.get("service")),
        team_id=_int_or_none(request.GET.get("team")),
    )
    body = ical.feed(
        changes=changes,
        blackouts=blackouts,
        base_url=request.build_absolute_uri("/")[:-1],
        host=request.get_host().split(":")[0],
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="changes.ics"'
    return response
