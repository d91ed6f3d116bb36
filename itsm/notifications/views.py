from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itsm.accounts.models import User
from itsm.accounts.roles import user_is_staff_member
from itsm.core.pages import SeekPage
from itsm.core.views import DeskRequest, desk_view
from itsm.notifications.forms import DeskEventChoicesForm, NotificationPreferenceForm
from itsm.notifications.selectors import (
    UNREAD_CAP,
    inapp_list_for_user,
    inapp_unread_count,
    notification_preference_get_for_user,
)
from itsm.notifications.services import (
    inapp_mark_all_read,
    inapp_mark_read,
    notification_desk_events_update,
    notification_preference_update,
)

# Lines per page of the notification centre, newest first.
INBOX_LINES = 50


@login_required
@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    """Every signed-in person's email preferences: opt out of non-essential messages; desk
    staff also choose, per desk event, whether it reaches their bell and their mailbox."""
    preference = notification_preference_get_for_user(user=request.user)
    is_desk = user_is_staff_member(request.user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        desk_form = DeskEventChoicesForm(request.POST) if is_desk else None
        if form.is_valid() and (desk_form is None or desk_form.is_valid()):
            notification_preference_update(
                user=request.user,
                receive_non_essential=form.cleaned_data["receive_non_essential"],
            )
            if desk_form is not None:
                notification_desk_events_update(
                    user=cast(User, request.user), choices=desk_form.choices()
                )
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notifications:preferences")
    else:
        form = NotificationPreferenceForm(
            initial={"receive_non_essential": preference.receive_non_essential}
        )
        desk_form = (
            DeskEventChoicesForm(initial=DeskEventChoicesForm.initial_for(preference))
            if is_desk
            else None
        )
    return render(request, "notifications/preferences.html", {"form": form, "desk_form": desk_form})


@desk_view
@require_GET
def inapp_inbox(request: DeskRequest) -> HttpResponse:
    """The agent's notification centre: the newest lines, unread ones marked, each a link to
    its record, with "mark read" per line and for all."""
    unread_only = request.GET.get("show") == "unread"
    page = SeekPage(
        inapp_list_for_user(user=request.user, unread_only=unread_only),
        number=request.GET.get("page"),
        size=INBOX_LINES,
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "lines": page.object_list,
            "page": page,
            "unread_only": unread_only,
            "query": "show=unread" if unread_only else "",
        },
    )


@desk_view
@require_GET
def inapp_bell(request: DeskRequest) -> HttpResponse:
    """The header's bell with the unread count (htmx, after the page: a desk page's own
    queries do not include it). One bounded count query."""
    count = inapp_unread_count(user=request.user)
    return render(
        request,
        "notifications/_bell.html",
        {"unread": count, "unread_label": f"{UNREAD_CAP}+" if count > UNREAD_CAP else count},
    )


@desk_view
@require_POST
def inapp_read(request: DeskRequest, pk: int) -> HttpResponse:
    marked = inapp_mark_read(user=request.user, notification_id=pk)
    if not marked and not inapp_list_for_user(user=request.user).filter(pk=pk).exists():
        raise Http404("No such notification.")
    if request.htmx:
        return _inbox_refresh(request)
    return redirect("notifications:inbox")


@desk_view
@require_POST
def inapp_read_all(request: DeskRequest) -> HttpResponse:
    done = inapp_mark_all_read(user=request.user)
    messages.success(
        request,
        f"{done} notification{'s' if done != 1 else ''} marked read."
        if done
        else "Nothing was unread.",
    )
    if request.htmx:
        return _inbox_refresh(request)
    return redirect("notifications:inbox")


def _inbox_refresh(request: DeskRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response
