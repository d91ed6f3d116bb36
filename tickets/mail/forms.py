"""The mailbox form, shared by the desk page and the admin: secrets are write-only."""

from django import forms

from tickets.mail.choices import ProcessedAction
from tickets.mail.models import Mailbox

MAILBOX_FIELDS = [
    "name", "address", "is_active", "host", "port", "security", "username", "password",
    "folder", "plus_addressing", "processed_action", "processed_folder", "default_team",
    "default_service", "default_category", "unknown_senders",
]  # fmt: skip


class MailboxForm(forms.ModelForm):
    # Write-only: the stored password is never sent back to the browser. Left empty on
    # an existing mailbox, the saved one is kept.
    password = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Never shown again after saving. Leave blank to keep the saved password.",
    )
    port = forms.IntegerField(
        min_value=1,
        max_value=65535,
        initial=993,
        help_text="993 for IMAPS, 143 for STARTTLS.",
        error_messages={
            "min_value": "A port is a number from 1 to 65535.",
            "max_value": "A port is a number from 1 to 65535.",
            "invalid": "A port is a number from 1 to 65535.",
        },
    )

    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS

    def clean_password(self) -> str:
        typed = self.cleaned_data.get("password") or ""
        if not typed and self.instance.pk:
            return self.instance.password
        if not typed:
            raise forms.ValidationError("Enter the mailbox's password.")
        return typed

    def clean(self):
        data = super().clean()
        if data.get("processed_action") == ProcessedAction.MOVE and not data.get(
            "processed_folder"
        ):
            self.add_error(
                "processed_folder", "Name the folder processed mail is moved to, or flag it."
            )
        return data
