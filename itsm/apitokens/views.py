from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from itsm.apitokens import selectors, services
from itsm.apitokens.exceptions import TokenRefused
from itsm.apitokens.forms import TokenForm

# The service names the API's fields; the form has a day instead of a moment.
_FORM_FIELD = {"expires_at": "expires_on"}


@never_cache  # the answer to a POST holds the secret
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Every signed-in person's API tokens: make one (the secret is shown once), see them,
    revoke one."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        end_of_day = datetime.combine(data["expires_on"] + timedelta(days=1), time.min)
        try:
            token, secret = services.token_create(
                owner=request.user,
                name=data["name"],
                scope=data["scope"],
                resources=data["resources"],
                expires_at=timezone.make_aware(end_of_day),
            )
        except TokenRefused as refusal:
            form.add_error(_FORM_FIELD.get(refusal.field or "", refusal.field), refusal.message)
        else:
            return render(
                request, "apitokens/token_created.html", {"token": token, "secret": secret}
            )
    tokens = selectors.token_list_for_owner(owner=request.user)
    return render(
        request,
        "apitokens/tokens.html",
        {"form": form, "tokens": tokens, "max_days": settings.ITSM_API_TOKEN_MAX_DAYS},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.token_list_for_owner(owner=request.user), pk=pk)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"“{token.name}” is revoked: requests using it now get 401.")
    return redirect("apitokens:list")
