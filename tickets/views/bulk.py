"""The queue's bulk bar and its export: one action on the selected tickets, and the current
view as a CSV or Excel download."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from itsm.core.exceptions import DomainError
from itsm.core.views import DeskRequest, desk_view
from tickets import selectors, services
from tickets.choices import BulkAction
from tickets.export import FORMATS, export_response
from tickets.forms import BulkForm, bulk_selection
from tickets.queue_query import queue_view


def _back(request: HttpRequest) -> HttpResponse:
    """To the queue page the form was on (its filters and page), never off-site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tickets:desk-ticket-queue")
    return redirect(target)


@desk_view
@require_POST
def ticket_bulk(request: DeskRequest) -> HttpResponse:
    """Apply the bulk bar's action to the ticked tickets; the queue again, with one line per
    ticket (done, or refused and why) above the table."""
    form = BulkForm(request.POST)
    selection = bulk_selection(request.POST)
    if not selection:
        messages.error(request, "Select at least one ticket, then choose the action.")
        return _back(request)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            text = " ".join(str(error) for error in errors)
            messages.error(request, f"{label or 'Bulk action'}: {text}")
        return _back(request)
    action = form.cleaned_data["action"]
    try:
        lines = services.tickets_bulk_apply(
            actor=request.user, action=action, selection=selection, params=form.params()
        )
    except DomainError as exc:
        # Wrong for the whole selection (no team, resolve without notes…): nothing was done.
        field = form.fields.get(exc.field or "")
        label = field.label if field is not None and field.label else ""
        messages.error(request, f"{label}: {exc.message}" if label else exc.message)
        return _back(request)
    selectors.queue_counts_forget(user=request.user)
    done = sum(1 for line in lines if line.done)
    refused = len(lines) - done
    messages.info(request, f"{BulkAction(action).label}: {done} done, {refused} refused.")
    for line in lines:
        messages.add_message(request, messages.SUCCESS if line.done else messages.ERROR, str(line))
    return _back(request)


@desk_view
@require_GET
def ticket_export(request: HttpRequest) -> HttpResponseBase:
    """The queue as shown (its queue, filters, search and sort) as a CSV or XLSX download,
    streamed whatever its size (tickets.export)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        messages.error(request, "Export as CSV or Excel (xlsx).")
        return redirect(reverse("tickets:desk-ticket-queue"))
    query = request.GET.copy()
    for name in ("format", "page", "page_size"):
        query.pop(name, None)
    view = queue_view(user=request.user, query=query)
    if view.filter_errors:
        messages.error(request, "This filter cannot be applied: " + "; ".join(view.filter_errors))
        return redirect(f"{reverse('tickets:desk-ticket-queue')}?{query.urlencode()}")
    return export_response(view.tickets, fmt)
