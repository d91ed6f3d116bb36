from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from itsm.apitokens.choices import TokenResource, TokenScope

DEFAULT_DAYS = 30


def _default_expiry() -> date:
    return timezone.localdate() + timedelta(days=DEFAULT_DAYS)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, e.g. “Nightly export script”.",
        error_messages={"required": "Give the token a name, so you know later what uses it."},
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="Read only refuses every change, whatever your own role allows.",
    )
    resources = forms.MultipleChoiceField(
        label="Parts of the API",
        choices=TokenResource.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one part of the API."},
        help_text="The token is refused everywhere else. It never reaches more than you can.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Choose when the token stops working."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "expires_on"
        ].help_text = (
            f"Works until the end of that day; at most {settings.ITSM_API_TOKEN_MAX_DAYS} days."
        )

    def clean_expires_on(self) -> date:
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("Choose a day after today: that one has passed.")
        if day > today + timedelta(days=settings.ITSM_API_TOKEN_MAX_DAYS):
            raise forms.ValidationError(
                f"A token may last at most {settings.ITSM_API_TOKEN_MAX_DAYS} days."
            )
        return day
