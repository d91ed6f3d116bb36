from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.api.time import IncidentTimeEntryView, RequestTimeEntryView, TimeEntryViewSet
from tickets.api.views import IncidentViewSet, RequestViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("requests", RequestViewSet, basename="request")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
urlpatterns = [
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
]
