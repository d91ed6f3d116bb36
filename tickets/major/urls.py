from django.urls import path

from tickets.major import views as major

app_name = "major"

urlpatterns = [
    path("desk/major-incidents/", major.major_list, name="desk-major-list"),
    path("desk/major-incidents/<int:pk>/", major.major_detail, name="desk-major-detail"),
    path(
        "desk/major-incidents/<int:pk>/update/", major.major_post_update, name="desk-major-update"
    ),
    path(
        "desk/major-incidents/<int:pk>/public-title/",
        major.major_public_title,
        name="desk-major-public-title",
    ),
    path(
        "desk/major-incidents/<int:pk>/desk-instructions/",
        major.major_desk_instructions,
        name="desk-major-desk-instructions",
    ),
    path(
        "desk/major-incidents/<int:pk>/link/<str:number>/",
        major.major_link_affected,
        name="desk-major-link-affected",
    ),
    path("desk/major-incidents/<int:pk>/resolve/", major.major_resolve, name="desk-major-resolve"),
    path("desk/major-incidents/<int:pk>/review/", major.major_review, name="desk-major-review"),
    path(
        "desk/major-incidents/declare/<str:number>/",
        major.major_declare,
        name="desk-major-declare",
    ),
    path("portal/major-incidents/<int:pk>/join/", major.major_join, name="portal-major-join"),
]
