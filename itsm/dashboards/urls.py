from django.urls import path

from itsm.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("processes/", views.processes, name="processes"),
    path("sla/tickets/", views.sla_tickets, name="sla-tickets"),
    path("api/<slug:metric>.json", views.metric_data, name="api-metric"),
]
