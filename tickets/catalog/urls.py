"""URLs of the service catalog pages (namespace `catalog`): portal and desk lists."""

from django.urls import include, path

from tickets.catalog import views

app_name = "catalog"

portal_urls = [
    path("", views.catalog_browse, name="portal-catalog-browse"),
    path("requests/<str:number>/", views.request_detail, name="portal-request-detail"),
    path("<slug:slug>/", views.catalog_order, name="portal-catalog-order"),
]

desk_urls = [
    path("approvals/", views.approval_list, name="desk-approval-list"),
    path(
        "approvals/<int:approval_id>/approve/", views.approval_approve, name="desk-approval-approve"
    ),
    path("approvals/<int:approval_id>/reject/", views.approval_reject, name="desk-approval-reject"),
    path("tasks/", views.task_list, name="desk-task-list"),
    path("tasks/<str:number>/complete/", views.task_complete, name="desk-task-complete"),
]

urlpatterns = [
    path("portal/catalog/", include(portal_urls)),
    path("desk/", include(desk_urls)),
]
