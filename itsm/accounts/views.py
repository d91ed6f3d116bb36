from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from itsm.accounts.roles import user_is_staff_member


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password do not match an account. "
        "Passwords are case-sensitive.",
    }


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where people land after signing in: staff in the desk, everyone else in the portal."""
    if user_is_staff_member(request.user):
        return redirect("desk-home")
    return redirect("portal:home")
