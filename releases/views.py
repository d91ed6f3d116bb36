"""Desk pages of release management: upcoming releases with support plans, release detail
(deployment plan, staffing, hypercare incidents), create and edit."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.core.refusals import (
    REFUSALS,
    FormRefusal,
    errors_into,
    refusal_message,
    refusal_status,
)
from itsm.core.views import DeskRequest, desk_view
from releases import selectors, services, workflow
from releases.fields import RELEASE_INPUT_FIELDS, RELEASE_LINK_FIELDS
from releases.forms import ReleaseForm, StaffingForm, StepForm, StepStatusForm, TransitionForm


@desk_view
def release_list(request: HttpRequest) -> HttpResponse:
    """Upcoming releases with their support plans (what the desk needs to know), then the
    recently closed ones."""
    upcoming = list(selectors.release_list_upcoming(user=request.user))
    closed = selectors.release_list_recently_closed(user=request.user)
    return render(
        request,
        "releases/release_list.html",
        {
            "upcoming": upcoming,
            "closed": closed,
            "can_manage": request.user.has_perm("releases.change_release"),
        },
    )


def _form_values(form: ReleaseForm) -> dict:
    values = dict(form.cleaned_data)
    values.pop("version", None)
    return values


@desk_view
def release_create(request: HttpRequest) -> HttpResponse:
    form = ReleaseForm(request.POST or None)
    refusal = FormRefusal()
    if request.method == "POST" and form.is_valid():
        with errors_into(form) as refusal:
            release = services.release_create(actor=request.user, **_form_values(form))
            messages.success(request, f"{release.number} planned.")
            return redirect(release.get_absolute_url())
    status = refusal.status if refusal.error else (400 if form.errors else 200)
    return render(request, "releases/release_form.html", {"form": form}, status=status)


@desk_view
def release_edit(request: HttpRequest, number: str) -> HttpResponse:
    release = selectors.release_get_for_user(user=request.user, number=number)
    initial = {
        "version": release.version,
        **{f: getattr(release, f) for f in RELEASE_INPUT_FIELDS if f not in RELEASE_LINK_FIELDS},
        "changes": list(release.changes.all()),
        "articles": list(release.articles.all()),
    }
    form = ReleaseForm(request.POST or None, initial=initial)
    refusal = FormRefusal()
    if request.method == "POST" and form.is_valid():
        with errors_into(form) as refusal:
            services.release_update(
                release=release,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **_form_values(form),
            )
            messages.success(request, "Release updated.")
            return redirect(release.get_absolute_url())
    status = refusal.status if refusal.error else (400 if form.errors else 200)
    return render(
        request, "releases/release_form.html", {"form": form, "release": release}, status=status
    )


@desk_view
def release_detail(request: HttpRequest, number: str) -> HttpResponse:
    release = selectors.release_get_for_user(user=request.user, number=number)
    if release.status == "hypercare":
        # Fresh tags on open, so the page never waits for the next beat run (idempotent).
        services.release_tag_hypercare_incidents(release=release)
    can_manage = request.user.has_perm("releases.change_release")
    transitions = workflow.allowed_transitions(release, can_manage=can_manage)
    return render(
        request,
        "releases/release_detail.html",
        {
            "release": release,
            "change_refusals": [
                (c, services.change_refusal_for_release(c)) for c in release.changes.all()
            ],
            "hypercare": selectors.release_hypercare_incidents(release=release),
            "transitions": transitions,
            "default_move": workflow.default_transition(transitions),
            "transition_form": TransitionForm(initial={"version": release.version}),
            "step_form": StepForm(),
            "staffing_form": StaffingForm(),
            "step_status_form": StepStatusForm(),
            "can_manage": can_manage,
        },
    )


def _done(request: HttpRequest, release, ok: str) -> HttpResponse:
    messages.success(request, ok)
    return redirect(release.get_absolute_url())


def _incomplete(request: HttpRequest, release, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect(release.get_absolute_url())


@desk_view
@require_POST
def release_transition(request: HttpRequest, number: str) -> HttpResponse:
    release = selectors.release_get_for_user(user=request.user, number=number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, release, "Choose the next stage.")
    services.release_transition(
        release=release,
        actor=request.user,
        to_status=form.cleaned_data["to_status"],
        expected_version=form.cleaned_data["version"],
    )
    return _done(request, release, "Release moved on.")


@desk_view
@require_POST
def release_step_add(request: HttpRequest, number: str) -> HttpResponse:
    release = selectors.release_get_for_user(user=request.user, number=number)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, release, "Give the step a title.")
    services.release_step_add(release=release, actor=request.user, **form.cleaned_data)
    return _done(request, release, "Step added.")


@desk_view
@require_POST
def release_step_status(request: HttpRequest, number: str, step_id: int) -> HttpResponse:
    release = selectors.release_get_for_user(user=request.user, number=number)
    step = selectors.release_step_get(release=release, pk=step_id)
    form = StepStatusForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, release, "Choose a status.")
    services.release_step_set_status(
        step=step, actor=request.user, status=form.cleaned_data["status"]
    )
    return _done(request, release, "Step updated.")


@desk_view
@require_POST
def release_staffing_add(request: HttpRequest, number: str) -> HttpResponse:
    release = selectors.release_get_for_user(user=request.user, number=number)
    form = StaffingForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, release, "Give the shift's start and end.")
    services.release_staffing_add(release=release, actor=request.user, **form.cleaned_data)
    return _done(request, release, "Staffing added.")


@desk_view
@require_POST
def release_known_issue(request: DeskRequest, number: str, ticket_number: str) -> HttpResponse:
    """ "This is a known issue of RLS…" from the ticket page's hypercare panel (htmx: the
    panel comes back showing the recorded issue; otherwise back to the ticket)."""
    from tickets.selectors import ticket_get_for_user

    release = selectors.release_get_for_user(user=request.user, number=number)
    ticket = ticket_get_for_user(user=request.user, number=ticket_number, whole=False)
    error = ""
    try:
        services.release_tag_known_issue(
            release=release,
            ticket=ticket,
            actor=request.user,
            known_issue=request.POST.get("known_issue", ""),
        )
    except REFUSALS as refused:
        if not request.htmx:
            messages.error(request, refusal_message(refused))
            return redirect(ticket.get_absolute_url())
        error = refusal_message(refused)
        status = refusal_status(refused)
    else:
        status = 200
        if not request.htmx:
            messages.success(request, f"Recorded as a known issue of {release.number}.")
            return redirect(ticket.get_absolute_url())
    panel = selectors.release_panel_for_ticket(ticket=ticket, user=request.user)
    return render(
        request,
        "releases/_hypercare_panel.html",
        {"ticket": ticket, "panel": panel, "error": error},
        status=status,
    )
