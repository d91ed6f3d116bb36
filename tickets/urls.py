from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [path("", views.incident_queue, name="desk-incident-queue")]
