from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from itsm.notifications.forms import NotificationPreferenceForm
from itsm.notifications.selectors import notification_preference_get_for_user
from itsm.notifications.services import notification_preference_update


@login_required
@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    """Every signed-in person's email preferences: opt out of non-essential messages."""
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            notification_preference_update(
                user=request.user,
                receive_non_essential=form.cleaned_data["receive_non_essential"],
            )
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notifications:preferences")
    else:
        preference = notification_preference_get_for_user(user=request.user)
        form = NotificationPreferenceForm(
            initial={"receive_non_essential": preference.receive_non_essential}
        )
    return render(request, "notifications/preferences.html", {"form": form})
