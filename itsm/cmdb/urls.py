from django.urls import path

from itsm.cmdb import views

app_name = "cmdb"

urlpatterns = [
    path("services/", views.service_list, name="desk-service-list"),
    path("services/<int:pk>/", views.service_detail, name="desk-service-detail"),
    path("cis/", views.ci_list, name="desk-ci-list"),
    path("cis/<int:pk>/", views.ci_detail, name="desk-ci-detail"),
]
