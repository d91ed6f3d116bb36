from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.api.preferences import QueuePreferenceViewSet
from tickets.api.views import IncidentViewSet, RequestViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("requests", RequestViewSet, basename="request")
urlpatterns = [
    *router.urls,
    path(
        "queue-preference/",
        QueuePreferenceViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="queue-preference",
    ),
]
