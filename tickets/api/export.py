"""GET /api/v1/tickets/export/: the queue as a CSV or XLSX file, streamed (tickets.export)."""

from types import SimpleNamespace

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from itsm.core.exceptions import PermissionRefused
from itsm.core.permissions import actor_may
from tickets import permissions as may
from tickets.export import FORMATS, export_response
from tickets.filtersets import TicketFilterSet
from tickets.queue_query import SORTABLE, queue_view


class _FormatIsTheFile(DefaultContentNegotiation):
    """`format` names the export's file format here, not the renderer of the answer (DRF's
    URL_FORMAT_OVERRIDE); refusals are always JSON, whatever Accept says."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix=None)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


def _filter_parameters() -> list[OpenApiParameter]:
    form = TicketFilterSet().form
    return [
        OpenApiParameter(name, OpenApiTypes.STR, description=str(field.label or name))
        for name, field in form.fields.items()
    ]


class TicketExportView(APIView):
    """The desk queue as shown (`queue`, the filters, `q`, `sort`) as a file."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FormatIsTheFile

    @extend_schema(
        operation_id="tickets_export",
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=sorted(FORMATS), description="csv (default)"
            ),
            OpenApiParameter("queue", OpenApiTypes.STR, description="A desk queue, e.g. mine"),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=sorted([*SORTABLE, *(f"-{name}" for name in SORTABLE), "relevance"]),
            ),
            *_filter_parameters(),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="One row per ticket, a header row first."
            ),
            (200, FORMATS["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
        },
        description=(
            "Streamed for any number of rows (a server-side cursor; XLSX in constant memory). "
            "Text that a spreadsheet would read as a formula is prefixed with an apostrophe. "
            "Desk staff only (403 otherwise); a filter that cannot be applied is a 400."
        ),
    )
    def get(self, request):
        if not actor_may(request.user, may.VIEW):
            raise PermissionRefused("Only the service desk can export the queue.")
        fmt = request.query_params.get("format", "csv")
        if fmt not in FORMATS:
            raise serializers.ValidationError({"format": ["Export as csv or xlsx."]})
        query = request.query_params.copy()
        for name in ("format", "page", "page_size"):
            query.pop(name, None)
        view = queue_view(user=request.user, query=query)
        if view.filter_errors:
            raise serializers.ValidationError({"detail": "; ".join(view.filter_errors)})
        return export_response(view.tickets, fmt)
