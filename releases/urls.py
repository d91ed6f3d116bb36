from django.urls import path

from releases import views

app_name = "releases"

urlpatterns = [
    path("", views.release_list, name="desk-release-list"),
    path("new/", views.release_create, name="desk-release-create"),
    path("<str:number>/", views.release_detail, name="desk-release-detail"),
    path("<str:number>/edit/", views.release_edit, name="desk-release-edit"),
    path("<str:number>/transition/", views.release_transition, name="desk-release-transition"),
    path("<str:number>/steps/", views.release_step_add, name="desk-release-step-add"),
    path(
        "<str:number>/steps/<int:step_id>/",
        views.release_step_status,
        name="desk-release-step-status",
    ),
    path(
        "<str:number>/known-issue/<str:ticket_number>/",
        views.release_known_issue,
        name="desk-release-known-issue",
    ),
    path("<str:number>/staffing/", views.release_staffing_add, name="desk-release-staffing-add"),
]
