from django.urls import path

from releases import views

app_name = "releases"

urlpatterns = [path("", views.release_list, name="desk-release-list")]
