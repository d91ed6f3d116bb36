from django.urls import path

from itsm.apitokens import views

app_name = "apitokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
