from django.urls import path

from problems import views

app_name = "problems"

urlpatterns = [
    path("", views.problem_list, name="desk-problem-list"),
    path("new/", views.problem_create, name="desk-problem-create"),
    path("candidates/", views.candidate_list, name="desk-candidate-list"),
    path("candidates/<int:pk>/accept/", views.candidate_accept, name="desk-candidate-accept"),
    path("candidates/<int:pk>/dismiss/", views.candidate_dismiss, name="desk-candidate-dismiss"),
    path(
        "from-incident/<str:ticket_number>/",
        views.incident_link_problem,
        name="desk-incident-link-problem",
    ),
    path(
        "from-major-incident/<int:major_id>/",
        views.problem_from_major_incident,
        name="desk-problem-from-major",
    ),
    path("<str:number>/", views.problem_detail, name="desk-problem-detail"),
    path("<str:number>/edit/", views.problem_edit, name="desk-problem-edit"),
    path("<str:number>/transition/", views.problem_transition, name="desk-problem-transition"),
    path("<str:number>/rca/", views.problem_rca, name="desk-problem-rca"),
    path(
        "<str:number>/known-error/",
        views.problem_publish_known_error,
        name="desk-problem-known-error",
    ),
    path("<str:number>/link/", views.problem_link_incidents, name="desk-problem-link"),
]
