from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.api.bulk import TicketBulkView
from tickets.api.export import TicketExportView
from tickets.api.macros import MacroViewSet
from tickets.api.notifications import InAppNotificationViewSet
from tickets.api.preferences import QueuePreferenceViewSet
from tickets.api.time import IncidentTimeEntryView, RequestTimeEntryView, TimeEntryViewSet
from tickets.api.views import IncidentViewSet, RequestViewSet
from tickets.canned.api import CannedResponseViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("requests", RequestViewSet, basename="request")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("macros", MacroViewSet, basename="macro")
router.register("notifications", InAppNotificationViewSet, basename="notification")
router.register("canned-responses", CannedResponseViewSet, basename="canned-response")
urlpatterns = [
    path("tickets/bulk/", TicketBulkView.as_view(), name="ticket-bulk"),
    path("tickets/export/", TicketExportView.as_view(), name="ticket-export"),
    path(
        "incidents/<str:number>/time-entries/",
        IncidentTimeEntryView.as_view(),
        name="incident-time-entries",
    ),
    path(
        "requests/<str:number>/time-entries/",
        RequestTimeEntryView.as_view(),
        name="request-time-entries",
    ),
    *router.urls,
    path(
        "queue-preference/",
        QueuePreferenceViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="queue-preference",
    ),
]
