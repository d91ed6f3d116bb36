from rest_framework.routers import SimpleRouter

from itsm.cmdb.api.views import CiRelationViewSet, ConfigurationItemViewSet, ServiceViewSet

router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("cis", ConfigurationItemViewSet, basename="ci")
router.register("ci-relations", CiRelationViewSet, basename="ci-relation")
urlpatterns = router.urls
