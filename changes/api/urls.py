from rest_framework.routers import SimpleRouter

from changes.api.views import ChangeRequestViewSet

router = SimpleRouter()
router.register("changes", ChangeRequestViewSet, basename="change")
urlpatterns = router.urls
