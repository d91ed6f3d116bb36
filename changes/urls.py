from django.urls import path

from changes import views

app_name = "changes"

urlpatterns = [path("", views.changerequest_list, name="desk-change-list")]
