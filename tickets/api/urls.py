from rest_framework.routers import SimpleRouter

from tickets.api.views import IncidentViewSet, RequestViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("requests", RequestViewSet, basename="request")
urlpatterns = router.urls
