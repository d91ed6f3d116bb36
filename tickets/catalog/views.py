"""Pages of the service catalog: browse and order (portal), request progress (portal),
my approvals and the fulfilment task queue (desk)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from itsm.accounts.roles import user_is_staff_member
from itsm.core.exceptions import DomainError, PermissionRefused
from itsm.core.refusals import errors_into
from itsm.core.views import desk_view
from tickets.catalog import selectors as catalog_selectors
from tickets.catalog import services as catalog
from tickets.catalog.forms import order_form_class, raw_answers
from tickets.choices import STATUS_BADGE, Channel, TaskStatus


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class TaskCompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(required=False, max_length=5000)
    # Only on the request's last active task: what the requester reads as the resolution.
    resolution_notes = forms.CharField(required=False, max_length=5000)


# --- Portal ---


@login_required
def catalog_browse(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    groups = catalog_selectors.catalog_category_list_with_items(search=search)
    return render(request, "tickets/portal/catalog_browse.html", {"groups": groups, "q": search})


@login_required
def catalog_order(request: HttpRequest, slug: str) -> HttpResponse:
    item = catalog_selectors.catalog_item_get_for_order(slug=slug)
    definitions = list(item.fields.all())
    form_class = order_form_class(definitions)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            try:
                ticket = catalog.request_order(
                    item=item,
                    requester=request.user,
                    actor=request.user,
                    form_data=raw_answers(definitions, request.POST),
                    channel=Channel.PORTAL,
                )
            except catalog.CatalogFormInvalid as invalid:
                # Every answer that failed, each on its field, not only the first.
                raise ValidationError(invalid.errors) from invalid
            messages.success(request, f"Thank you — we received {ticket.number}.")
            return redirect("catalog:portal-request-detail", number=ticket.number)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tickets/portal/catalog_order.html", {"item": item, "form": form}, status=status
    )


@login_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = catalog_selectors.request_get_progress_for_user(user=request.user, number=number)
    rejections = [a for a in ticket.approvals.all() if a.state == "rejected"]
    return render(
        request,
        "tickets/portal/catalog_request.html",
        {
            "ticket": ticket,
            "status_badge": STATUS_BADGE,
            "rejections": rejections,
            "answers": catalog_selectors.request_answers(ticket=ticket),
            "approvals": list(ticket.approvals.all()),
            "tasks": list(ticket.tasks.all()),
        },
    )


# --- Approvals (any signed-in approver: line managers are often not desk staff) ---


def _base_template(request: HttpRequest) -> str:
    return "desk/base.html" if user_is_staff_member(request.user) else "portal/base.html"


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "pending")
    approvals = catalog_selectors.approval_list_for_approver(
        user=request.user, pending_only=show != "all"
    )[:200]
    return render(
        request,
        "tickets/desk/approvals.html",
        {
            "approvals": approvals,
            "show": show,
            "base_template": _base_template(request),
            "decision_form": DecisionForm(),
        },
    )


def _decide(request: HttpRequest, approval_id: int, *, approve: bool) -> HttpResponse:
    approval = catalog_selectors.approval_get_for_approver(user=request.user, pk=approval_id)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if approve:
            catalog.approval_approve(approval=approval, actor=request.user, comment=comment)
        else:
            catalog.approval_reject(approval=approval, actor=request.user, comment=comment)
    except DomainError as error:
        messages.error(request, f"{approval.ticket.number}: {error.message}")
    else:
        verb = "approved" if approve else "rejected"
        messages.success(request, f"You {verb} {approval.ticket.number}.")
    return redirect("catalog:desk-approval-list")


@login_required
@require_POST
def approval_approve(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(request, approval_id, approve=True)


@login_required
@require_POST
def approval_reject(request: HttpRequest, approval_id: int) -> HttpResponse:
    return _decide(request, approval_id, approve=False)


# --- Fulfilment tasks (desk) ---


@desk_view
def task_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("status", TaskStatus.OPEN)
    if show not in (*TaskStatus.values, "all"):
        raise Http404("No such task status.")
    tasks = list(
        catalog_selectors.task_list_for_teams(
            user=request.user, status=None if show == "all" else show
        )[:200]
    )
    for task in tasks:
        # The last active task resolves its request: prefill what the requester will read.
        if task.active_task_count == 1:
            task.resolution_default = catalog.request_resolution_default(task.ticket)
    return render(
        request,
        "tickets/desk/tasks.html",
        {
            "tasks": tasks,
            "show": show,
            "statuses": TaskStatus.choices,
        },
    )


@desk_view
@require_POST
def task_complete(request: HttpRequest, number: str) -> HttpResponse:
    task = catalog_selectors.task_get(number=number)
    form = TaskCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete; reload the page and try again.")
        return redirect("catalog:desk-task-list")
    try:
        catalog.task_complete(
            task=task,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            notes=form.cleaned_data["notes"],
            resolution_notes=form.cleaned_data["resolution_notes"],
        )
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, f"{task.number}: {error.message}")
    else:
        messages.success(request, f"{task.number} is done.")
    return redirect("catalog:desk-task-list")
