"""The mailbox form, shared by the desk page and the admin: secrets are write-only."""

from django import forms

from tickets.mail.choices import ProcessedAction
from tickets.mail.models import Mailbox

MAILBOX_FIELDS = [
    "name", "address", "is_active", "host", "port", "security", "username", "password",
    "oauth2_token", "folder", "use_idle", "plus_addressing", "processed_action",
    "processed_folder", "default_team", "default_service", "default_category",
    "unknown_senders",
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
    oauth2_token = forms.CharField(
        label="OAuth2 access token",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Instead of the password (XOAUTH2). Never shown again after saving. Leave "
        "blank to keep the saved token.",
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
        return typed or (self.instance.password if self.instance.pk else "")

    def clean_oauth2_token(self) -> str:
        typed = (self.cleaned_data.get("oauth2_token") or "").strip()
        return typed or (self.instance.oauth2_token if self.instance.pk else "")

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("oauth2_token"):
            self.add_error("password", "Enter the mailbox's password (or an OAuth2 token).")
        if data.get("processed_action") == ProcessedAction.MOVE and not data.get(
            "processed_folder"
        ):
            self.add_error(
                "processed_folder", "Name the folder processed mail is moved to, or flag it."
            )
        return data
