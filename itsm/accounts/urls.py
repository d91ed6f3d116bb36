"""The sign-in pages people use, by the names the product reverses (`accounts:login`, …).

allauth's own URLs (`account_*`, `mfa_*`, `usersessions_list`) are included right after these
in itsm/urls.py under the same `accounts/` prefix: these names are the product's entry points
to the same views.
"""

from allauth.account import views as allauth_views
from django.urls import path
from django.views.generic import RedirectView

from itsm.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    # The address the product used before allauth (bookmarks, old mails).
    path("password-reset/", allauth_views.password_reset, name="password_reset"),
    path("security/", views.security, name="security"),
    # allauth's "your sessions" at its own address (`usersessions_list` reverses here too).
    path("sessions/", views.sessions, name="sessions"),
    # E-mail is the login and administrators (or single sign-on) own it: allauth's page to
    # add and change addresses is not offered.
    path("email/", RedirectView.as_view(pattern_name="accounts:security"), name="email"),
]
