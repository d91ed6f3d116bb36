from django.urls import path

from tickets.canned import views

app_name = "canned"

urlpatterns = [
    path("", views.canned_response_list, name="desk-canned-list"),
    path("new/", views.canned_response_create, name="desk-canned-create"),
    path("<int:pk>/edit/", views.canned_response_edit, name="desk-canned-edit"),
    path("<int:pk>/delete/", views.canned_response_delete, name="desk-canned-delete"),
]
