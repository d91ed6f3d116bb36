from django.urls import path

from changes import views

app_name = "changes"

urlpatterns = [
    path("", views.changerequest_list, name="desk-change-list"),
    path("new/", views.changerequest_create, name="desk-change-create"),
    path("<str:number>/edit/", views.changerequest_edit, name="desk-change-edit"),
    path("agenda/", views.cab_agenda, name="desk-cab-agenda"),
    path("calendar/", views.change_calendar, name="desk-change-calendar"),
    path("calendar.ics", views.change_calendar_ics, name="desk-change-calendar-ics"),
    path(
        "calendar/token/",
        views.change_calendar_token_create,
        name="desk-change-calendar-token-create",
    ),
    path(
        "calendar/token/revoke/",
        views.change_calendar_token_revoke,
        name="desk-change-calendar-token-revoke",
    ),
    path("<str:number>/", views.changerequest_detail, name="desk-change-detail"),
    path("<str:number>/transition/", views.changerequest_transition, name="desk-change-transition"),
    path("<str:number>/risk/", views.changerequest_risk, name="desk-change-risk"),
    path(
        "<str:number>/public-title/",
        views.changerequest_public_title,
        name="desk-change-public-title",
    ),
    path(
        "<str:number>/risk-override/",
        views.changerequest_risk_override,
        name="desk-change-risk-override",
    ),
    path("<str:number>/decide/", views.changerequest_decide, name="desk-change-decide"),
    path(
        "<str:number>/link-incident/",
        views.changerequest_link_incident,
        name="desk-change-link-incident",
    ),
]
