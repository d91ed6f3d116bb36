from django import forms


class NotificationPreferenceForm(forms.Form):
    receive_non_essential = forms.BooleanField(
        label="Send me non-essential emails (announcements, digests)",
        required=False,
        help_text="Messages about your own tickets and work assigned to you are always sent.",
    )
