from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.api.bulk import TicketBulkView
from tickets.api.export import TicketExportView
from tickets.api.views import IncidentViewSet, RequestViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("requests", RequestViewSet, basename="request")
urlpatterns = [
    path("tickets/bulk/", TicketBulkView.as_view(), name="ticket-bulk"),
    path("tickets/export/", TicketExportView.as_view(), name="ticket-export"),
    *router.urls,
]
