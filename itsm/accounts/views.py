from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from itsm.accounts.roles import user_is_staff_member
from itsm.sso.ldap import DIRECTORY_UNREACHABLE, directory_unreachable


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password do not match an account. "
        "Passwords are case-sensitive.",
    }

    def get_invalid_login_error(self) -> ValidationError:
        # Local accounts still sign in while the directory is down; for everyone else the
        # form says why rather than blaming the password (itsm/sso/ldap.py).
        if directory_unreachable(self.request):
            return ValidationError(DIRECTORY_UNREACHABLE, code="directory_unreachable")
        return super().get_invalid_login_error()


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
