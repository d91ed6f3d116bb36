from typing import Any

from django import forms

from itsm.notifications.choices import DeskEvent
from itsm.notifications.models import NotificationPreference
from itsm.notifications.services.inapp import desk_choice

CHANNELS = (("in_app", "In the desk"), ("email", "By e-mail"))


class NotificationPreferenceForm(forms.Form):
    receive_non_essential = forms.BooleanField(
        label="Send me non-essential emails (announcements, digests)",
        required=False,
        help_text="Messages about your own tickets and work assigned to you are always sent.",
    )


class DeskEventChoicesForm(forms.Form):
    """Per desk event, a box for the bell and one for e-mail (`<event>__in_app`, …)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for event, label in DeskEvent.choices:
            for channel, channel_label in CHANNELS:
                self.fields[f"{event}__{channel}"] = forms.BooleanField(
                    required=False, label=f"{label}: {channel_label.lower()}"
                )

    @staticmethod
    def initial_for(preference: NotificationPreference) -> dict[str, bool]:
        return {
            f"{event}__{channel}": desk_choice(preference.desk_events, event, channel)
            for event in DeskEvent.values
            for channel, _ in CHANNELS
        }

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (label, [self[f"{event}__{channel}"] for channel, _ in CHANNELS])
            for event, label in DeskEvent.choices
        ]

    def choices(self) -> dict[str, dict[str, bool]]:
        return {
            event: {channel: self.cleaned_data[f"{event}__{channel}"] for channel, _ in CHANNELS}
            for event in DeskEvent.values
        }
