"""The queue's bulk bar and its export: one action on the selected tickets, and the current
view as a CSV or Excel download."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
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


def _back(request: DeskRequest) -> HttpResponse:
    """To the queue page the form was on (its filters and page), never off-site; the result
    lines are flashed, so they show above the table of that page."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tickets:desk-ticket-queue")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _refused(request: DeskRequest, message: str) -> HttpResponse:
    """Input wrong for the whole selection: nothing was done. Sent by htmx, the message goes
    into the bulk bar beside its button and what the agent chose stays as it was; a plain
    POST flashes it on the queue page."""
    if request.htmx:
        response = render(request, "components/_refusal.html", {"message": message}, status=400)
        response["HX-Retarget"] = "#bulk-refusal"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, message)
    return _back(request)


@desk_view
@require_POST
def ticket_bulk(request: DeskRequest) -> HttpResponse:
    """Apply the bulk bar's action to the ticked tickets; the queue again, with one line per
    ticket (done, or refused and why) above the table."""
    form = BulkForm(request.POST)
    selection = bulk_selection(request.POST)
    if not selection:
        return _refused(request, "Select at least one ticket, then choose the action.")
    if not form.is_valid():
        return _refused(
            request,
            " ".join(
                f"{form.fields[name].label if name in form.fields else 'Bulk action'}: "
                + " ".join(str(error) for error in errors)
                for name, errors in form.errors.items()
            ),
        )
    action = form.cleaned_data["action"]
    try:
        lines = services.tickets_bulk_apply(
            actor=request.user, action=action, selection=selection, params=form.params()
        )
    except DomainError as exc:
        # Wrong for the whole selection (no team, resolve without notes…): nothing was done.
        field = form.fields.get(exc.field or "")
        label = field.label if field is not None and field.label else ""
        return _refused(request, f"{label}: {exc.message}" if label else exc.message)
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
