"""Major-incident pages: the desk list and page, declaring from a ticket, updates, resolving,
the review; and the portal's "I'm affected too"."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from itsm.core.refusals import REFUSALS, refusal_message, refusal_page, refusal_status
from itsm.core.views import DeskRequest, desk_view
from tickets import selectors as ticket_selectors
from tickets.exceptions import MajorIncidentAlreadyOpen
from tickets.major import selectors, services
from tickets.major.forms import (
    DeclareMajorForm,
    JoinMajorForm,
    MajorDeskInstructionsForm,
    MajorPublicTitleForm,
    MajorResolveForm,
    MajorReviewForm,
    MajorUpdateForm,
    declare_major_form_for,
)


@desk_view
def major_list(request: HttpRequest) -> HttpResponse:
    """Proposals from the rules, active major incidents, then the last 50 resolved ones."""
    return render(
        request,
        "tickets/major/major_list.html",
        {
            "active": selectors.major_list_active(),
            "past": selectors.major_list_recently_resolved(limit=50),
            # Read-only proposals from the MajorIncidentRule table; a person declares.
            "proposals": services.major_incident_candidates(),
        },
    )


def _detail(request: HttpRequest, pk: int, status: int = 200, **forms) -> HttpResponse:
    major = selectors.major_get(pk=pk)
    end = major.resolved_at or timezone.now()
    review = getattr(major, "review", None)
    context: dict[str, Any] = {
        "major": major,
        "ticket": major.ticket,
        "timeline": selectors.major_timeline(major=major),
        "children": selectors.major_children(major=major),
        "elapsed": end - major.declared_at,
        "review": review,
        "stakeholders": selectors.major_notified_stakeholders(major=major),
        "public_title_form": forms.get("public_title_form")
        or MajorPublicTitleForm(initial={"public_title": major.public_title}),
        "update_form": forms.get("update_form") or MajorUpdateForm(),
        "instructions_form": forms.get("instructions_form")
        or MajorDeskInstructionsForm(
            initial={
                "caller_script": major.caller_script,
                "public_wording": major.public_wording,
                "next_update_due_at": major.next_update_due_at
                and timezone.localtime(major.next_update_due_at),
            }
        ),
        "resolve_form": forms.get("resolve_form") or MajorResolveForm(),
        "review_form": forms.get("review_form"),
    }
    if context["review_form"] is None:
        context["review_form"] = MajorReviewForm(
            initial={
                "timeline": review.timeline if review else "",
                "root_cause": review.root_cause if review else "",
                "actions": review.actions if review else "",
            }
        )
    return render(request, "tickets/major/major_detail.html", context, status=status)


@desk_view
def major_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@desk_view
@require_http_methods(["GET", "POST"])
def major_declare(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's "Declare major incident": GET draws the form (when the agent opens
    it), POST declares."""
    if request.method == "GET":
        ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=number, whole=False)
        form = declare_major_form_for(ticket=ticket, user=request.user)
        context = {"ticket": ticket, "declare_major_form": form}
        return render(request, "tickets/major/_declare_fields.html", context)
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=number)
    form = DeclareMajorForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field.replace('_', ' ').capitalize()}: {errors[0]}")
        return redirect(ticket.get_absolute_url())
    data = form.cleaned_data
    try:
        major = services.major_incident_declare(
            ticket=ticket,
            actor=request.user,
            reason=data["reason"],
            manager=data["manager"],
            communications_owner=data["communications_owner"],
            expected_version=data["version"],
            force=data["force"],
        )
    except MajorIncidentAlreadyOpen as error:
        # Ask first: link this ticket to the open one instead, or declare anyway.
        return render(
            request,
            "tickets/major/declare_confirm.html",
            {"ticket": ticket, "existing": error.existing, "message": error.message, "form": form},
            status=error.status_code,
        )
    messages.success(request, f"{ticket.number} is now a major incident; stakeholders are told.")
    response = redirect(major.get_absolute_url())
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = major.get_absolute_url()
    return response


@desk_view
@require_POST
def major_link_affected(request: DeskRequest, pk: int, number: str) -> HttpResponse:
    """ "Link as affected" from the ticket page's panel (htmx: the panel comes back saying
    "linked") or from the "already open" question (a redirect to the ticket)."""
    major = selectors.major_get(pk=pk)
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, number=number)
    try:
        ticket = services.major_incident_link_affected(
            major=major, ticket=ticket, actor=request.user
        )
    except REFUSALS as error:
        if not request.htmx:
            messages.error(request, refusal_message(error))
            return redirect(ticket.get_absolute_url())
        panel = selectors.major_panel_for_ticket(ticket=ticket, user=request.user)
        return render(
            request,
            "tickets/major/_ticket_panel.html",
            {"ticket": ticket, "panel": panel, "error": refusal_message(error)},
            status=refusal_status(error),
        )
    if not request.htmx:
        messages.success(request, f"{ticket.number} is linked to {major.ticket.number}.")
        return redirect(ticket.get_absolute_url())
    panel = selectors.major_panel_for_ticket(ticket=ticket, user=request.user)
    return render(request, "tickets/major/_ticket_panel.html", {"ticket": ticket, "panel": panel})


@desk_view
@require_POST
def major_desk_instructions(request: DeskRequest, pk: int) -> HttpResponse:
    major = selectors.major_get(pk=pk)
    form = MajorDeskInstructionsForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, status=400, instructions_form=form)
    try:
        services.major_incident_set_desk_instructions(
            major=major, actor=request.user, **form.cleaned_data
        )
    except REFUSALS as error:
        messages.error(request, refusal_message(error))
        return _detail(request, pk, status=refusal_status(error), instructions_form=form)
    messages.success(request, "The desk's instructions are saved.")
    return redirect(major.get_absolute_url())


def _refused_on_major_page(form_name: str, form_class: type[Form]):
    """The major-incident page again when a form on it is refused, with what was typed."""

    def page(request: HttpRequest, error: Exception, pk: int) -> HttpResponse:
        messages.error(request, refusal_message(error))
        return _detail(
            request, pk, status=refusal_status(error), **{form_name: form_class(request.POST)}
        )

    return refusal_page(page)


@desk_view
@require_POST
@_refused_on_major_page("update_form", MajorUpdateForm)
def major_post_update(request: HttpRequest, pk: int) -> HttpResponse:
    major = selectors.major_get(pk=pk)
    form = MajorUpdateForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, status=400, update_form=form)
    services.major_incident_post_update(
        major=major,
        actor=request.user,
        body=form.cleaned_data["body"],
        is_public=form.cleaned_data["is_public"],
    )
    messages.success(request, "Update posted.")
    return redirect(major.get_absolute_url())


@desk_view
@require_POST
@_refused_on_major_page("public_title_form", MajorPublicTitleForm)
def major_public_title(request: HttpRequest, pk: int) -> HttpResponse:
    major = selectors.major_get(pk=pk)
    form = MajorPublicTitleForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, status=400, public_title_form=form)
    services.major_incident_set_public_title(
        major=major, actor=request.user, public_title=form.cleaned_data["public_title"]
    )
    messages.success(request, "The requesters' wording is saved.")
    return redirect(major.get_absolute_url())


@desk_view
@require_POST
@_refused_on_major_page("resolve_form", MajorResolveForm)
def major_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    major = selectors.major_get(pk=pk)
    form = MajorResolveForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, status=400, resolve_form=form)
    services.major_incident_resolve(
        major=major, actor=request.user, public_note=form.cleaned_data["public_note"]
    )
    messages.success(request, "Major incident resolved, with every affected incident.")
    return redirect(major.get_absolute_url())


@desk_view
@require_POST
@_refused_on_major_page("review_form", MajorReviewForm)
def major_review(request: HttpRequest, pk: int) -> HttpResponse:
    major = selectors.major_get(pk=pk)
    form = MajorReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, status=400, review_form=form)
    services.major_incident_review_record(major=major, actor=request.user, **form.cleaned_data)
    messages.success(request, "Review saved.")
    return redirect(major.get_absolute_url())


@login_required
@require_POST
def major_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Portal: "I'm affected too" → a child incident of the major one, then the requester's
    ticket page."""
    major = selectors.major_get(pk=pk)
    form = JoinMajorForm(request.POST)
    description = form.cleaned_data["description"] if form.is_valid() else ""
    child = services.major_incident_join(
        major=major, requester=request.user, description=description
    )
    messages.success(
        request,
        f"Thank you — you are on the list as {child.number}; we will tell you when it is fixed.",
    )
    return redirect("tickets:portal-ticket-detail", child.number)
