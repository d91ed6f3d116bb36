from django.urls import path

from itsm.cmdb import views

app_name = "cmdb"

urlpatterns = [
    path("services/", views.service_list, name="desk-service-list"),
    path("services/<int:pk>/", views.service_detail, name="desk-service-detail"),
    path("services/<int:pk>/cis/", views.service_ci_add, name="desk-service-ci-add"),
    path(
        "services/<int:pk>/cis/<int:ci_pk>/remove/",
        views.service_ci_remove,
        name="desk-service-ci-remove",
    ),
    path("cis/", views.ci_list, name="desk-ci-list"),
    path("cis/new/", views.ci_create, name="desk-ci-create"),
    path("cis/<int:pk>/", views.ci_detail, name="desk-ci-detail"),
    path("cis/<int:pk>/edit/", views.ci_edit, name="desk-ci-edit"),
    path("cis/<int:pk>/relations/", views.ci_relation_add, name="desk-ci-relation-add"),
    path(
        "cis/<int:pk>/relations/<int:relation_pk>/remove/",
        views.ci_relation_remove,
        name="desk-ci-relation-remove",
    ),
]
