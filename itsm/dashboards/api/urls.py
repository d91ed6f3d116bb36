from django.urls import path

from itsm.dashboards.api.views import DeskHomeView

urlpatterns = [path("desk-home/", DeskHomeView.as_view(), name="desk-home-api")]
