from rest_framework.routers import SimpleRouter

from itsm.cmdb.api.views import ConfigurationItemViewSet, ServiceViewSet

router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("cis", ConfigurationItemViewSet, basename="ci")
urlpatterns = router.urls
