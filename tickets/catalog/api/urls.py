from rest_framework.routers import SimpleRouter

from tickets.catalog.api.views import ApprovalViewSet, CatalogItemViewSet, TaskViewSet

router = SimpleRouter()
router.register("catalog-items", CatalogItemViewSet, basename="catalog-item")
router.register("tasks", TaskViewSet, basename="task")
router.register("approvals", ApprovalViewSet, basename="approval")
urlpatterns = router.urls
