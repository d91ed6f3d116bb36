"""The desk's mailbox pages (administrators): the list with each mailbox's state, the
mailbox page with its record of refused mail, and the create/edit form."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from itsm.accounts.models import User
from itsm.core.permissions import actor_may
from itsm.core.refusals import errors_into
from itsm.core.views import desk_view
from tickets.mail import selectors, services
from tickets.mail.forms import MailboxForm
from tickets.mail.models import Mailbox


def _require(request: HttpRequest) -> None:
    if not actor_may(request.user, services.CONFIGURE_MAILBOXES):
        raise PermissionDenied("Mailboxes are configured by administrators.")


@desk_view
def mailbox_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request,
        "tickets/mail/mailbox_list.html",
        {
            "mailboxes": list(selectors.mailbox_list()),
        },
    )


@desk_view
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    mailbox = get_object_or_404(selectors.mailbox_list(), pk=pk)
    return render(
        request,
        "tickets/mail/mailbox_detail.html",
        {
            "mailbox": mailbox,
            "refusals": selectors.mailbox_refusals(mailbox=mailbox),
            "recent": selectors.mailbox_recent(mailbox=mailbox),
        },
    )


def _form_page(request: HttpRequest, mailbox: Mailbox | None) -> HttpResponse:
    form = MailboxForm(request.POST or None, instance=mailbox)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with errors_into(cast(Form, form)) as refusal:
                saved = services.mailbox_save(
                    actor=cast(User, request.user), mailbox=form.instance, changed=form.changed_data
                )
                messages.success(request, f"Mailbox {saved.name} saved.")
                return redirect("mail:desk-mailbox-detail", pk=saved.pk)
            status = refusal.status
    return render(
        request,
        "tickets/mail/mailbox_form.html",
        {"form": form, "mailbox": mailbox},
        status=status,
    )


@desk_view
def mailbox_create(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _form_page(request, None)


@desk_view
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    return _form_page(request, get_object_or_404(Mailbox, pk=pk))
