from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from itsm.notifications.choices import NotificationStatus
from itsm.notifications.models import (
    Notification,
    NotificationPreference,
    SentMail,
    WebhookSubscription,
)
from itsm.notifications.selectors import notification_count_needing_review
from itsm.notifications.services import (
    email_message_id,
    notification_confirm_delivered,
    notification_resend_reviewed,
    notification_retry,
)


class DeliveryProblemFilter(admin.SimpleListFilter):
    title = "delivery problem"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [
            ("review", "Needs review (may or may not have arrived)"),
            ("failed", "Failed for good"),
            ("retrying", "Failed, retrying"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "review":
            return queryset.filter(status=NotificationStatus.NEEDS_REVIEW)
        if self.value() == "failed":
            return queryset.filter(status=NotificationStatus.FAILED)
        if self.value() == "retrying":
            return queryset.filter(Q(status=NotificationStatus.PENDING) & Q(attempts__gt=0))
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: outbox rows are written by services; operators only retry them, and settle
    the e-mails in review (resend, or mark delivered after checking the mail server's log)."""

    list_display = (
        "created_at",
        "event",
        "channel",
        "target",
        "record_label",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = (DeliveryProblemFilter, "status", "channel", "event")
    search_fields = ("target", "event", "record_label", "subject", "=event_id")
    date_hierarchy = "created_at"
    list_select_related = ()
    show_full_result_count = False  # no full count of a table that grows forever
    actions = ["retry", "resend_reviewed", "confirm_delivered"]
    readonly_fields = [*(field.name for field in Notification._meta.fields), "message_id"]

    @admin.display(description="Message-ID")
    def message_id(self, notification: Notification) -> str:
        return email_message_id(notification) if notification.channel == "email" else "—"

    def changelist_view(self, request, extra_context=None):
        waiting = notification_count_needing_review()
        if waiting:
            self.message_user(
                request,
                f"{waiting} e-mail(s) need review: their worker stopped while sending, so they "
                "may or may not have arrived, and they are not sent again by themselves. "
                "Filter by “Needs review”, check with the recipient or the mail server's log "
                "(search the Message-ID), then resend or mark them delivered.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected notifications now", permissions=["view"])
    def retry(self, request, queryset):
        count = notification_retry(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            f"{count} notification(s) queued for another attempt; sent ones were left alone.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Resend the selected e-mails in review (the recipient may get two copies)",
        permissions=["view"],
    )
    def resend_reviewed(self, request, queryset):
        count = notification_resend_reviewed(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            f"{count} e-mail(s) in review queued to be sent again; rows not in review were "
            "left alone.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Mark the selected e-mails in review as delivered (they arrived)",
        permissions=["view"],
    )
    def confirm_delivered(self, request, queryset):
        count = notification_confirm_delivered(
            notification_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            f"{count} e-mail(s) in review marked delivered; rows not in review were left alone.",
            messages.SUCCESS,
        )


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "events", "service", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    autocomplete_fields = ("service",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "receive_non_essential")
    list_filter = ("receive_non_essential",)
    search_fields = ("user__email", "user__display_name")
    autocomplete_fields = ("user",)


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    """The mail a local run kept (EMAIL_URL=dbmail://): read-only, newest first."""

    list_display = ("sent_at", "recipients", "subject")
    search_fields = ("subject", "to", "body_text")
    date_hierarchy = "sent_at"
    fields = ("sent_at", "from_email", "recipients", "subject", "body_text", "preview")
    readonly_fields = fields

    @admin.display(description="To")
    def recipients(self, mail: SentMail) -> str:
        return ", ".join([*mail.to, *mail.cc])

    @admin.display(description="HTML version")
    def preview(self, mail: SentMail) -> str:
        if not mail.body_html:
            return "—"
        # A sandboxed frame with no scripts: the mail's HTML cannot touch the admin page.
        return format_html(
            '<iframe sandbox srcdoc="{}" title="HTML version" '
            'style="width:100%;min-height:30rem;border:1px solid #ccc;background:#fff"></iframe>',
            mail.body_html,
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
