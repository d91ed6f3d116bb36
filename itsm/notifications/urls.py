from django.urls import path

from itsm.notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preference_edit, name="preferences"),
]
