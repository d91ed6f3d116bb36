from rest_framework.routers import SimpleRouter

from itsm.apitokens.api.views import TokenViewSet

router = SimpleRouter()
router.register("api-tokens", TokenViewSet, basename="api-token")
urlpatterns = router.urls
