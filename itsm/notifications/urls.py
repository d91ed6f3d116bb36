from django.urls import path

from itsm.notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preference_edit, name="preferences"),
    path("", views.inapp_inbox, name="inbox"),
    path("bell/", views.inapp_bell, name="bell"),
    path("<int:pk>/read/", views.inapp_read, name="read"),
    path("read-all/", views.inapp_read_all, name="read-all"),
]
