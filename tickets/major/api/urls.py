from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.major.api.views import DeclareMajorView, MajorIncidentViewSet

router = SimpleRouter()
router.register("major-incidents", MajorIncidentViewSet, basename="major-incident")
urlpatterns = [
    path(
        "incidents/<str:number>/declare-major/",
        DeclareMajorView.as_view(),
        name="incident-declare-major",
    ),
    *router.urls,
]
