"""Mailboxes in the admin: configured by administrators, with their state and their record
of what became of each message (refusals included)."""

from django.contrib import admin, messages
from django.utils.html import format_html

from tickets.mail.choices import MailboxState
from tickets.mail.forms import MailboxForm
from tickets.mail.models import InboundMessage, Mailbox

STATE_FIELDS = (
    "state",
    "last_error",
    "failure_count",
    "next_poll_at",
    "last_polled_at",
    "last_success_at",
)


class InboundMessageInline(admin.TabularInline):
    model = InboundMessage
    fields = readonly_fields = ("received_at", "sender", "subject", "outcome", "reason", "ticket")
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-received_at", "-id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ticket")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "is_active", "state_badge", "last_success_at", "last_error"]
    list_filter = ["is_active", "state"]
    search_fields = ["name", "address", "host"]
    readonly_fields = STATE_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "address", "is_active"]}),
        (
            "Server",
            {
                "fields": [
                    "host",
                    "port",
                    "security",
                    "username",
                    "password",
                    "oauth2_token",
                    "folder",
                    "use_idle",
                ]
            },
        ),
        ("After processing", {"fields": ["processed_action", "processed_folder"]}),
        ("Replies", {"fields": ["plus_addressing"]}),
        (
            "New tickets",
            {"fields": ["default_team", "default_service", "default_category", "unknown_senders"]},
        ),
        ("State", {"fields": STATE_FIELDS}),
    ]
    inlines = [InboundMessageInline]
    actions = ["poll_now"]

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj: Mailbox) -> str:
        colour = "#b00020" if obj.state == MailboxState.FAILING else "#1b5e20"
        return format_html('<strong style="color:{}">{}</strong>', colour, obj.get_state_display())

    @admin.action(description="Read the selected mailboxes now")
    def poll_now(self, request, queryset) -> None:
        from tickets.mail.tasks import mailbox_poll

        for mailbox_id in queryset.values_list("pk", flat=True):
            mailbox_poll.delay(mailbox_id)
        self.message_user(request, "Polls started; reload in a moment.", messages.SUCCESS)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "mailbox", "sender", "subject", "outcome", "ticket"]
    list_filter = ["outcome", "mailbox"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["mailbox", "ticket"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
