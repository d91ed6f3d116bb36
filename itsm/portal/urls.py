from django.urls import path

from itsm.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("deflect/", views.deflect, name="deflect"),
    path("deflected/", views.deflected, name="deflected"),
]
