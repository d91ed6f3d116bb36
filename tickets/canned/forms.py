from django import forms

from itsm.accounts.models import Team
from tickets.canned.models import CannedResponse, CannedResponseScope
from tickets.canned.placeholders import PLACEHOLDERS


class CannedResponseForm(forms.Form):
    """Validates what was typed; tickets.canned.services checks the placeholders and who
    may write the chosen scope."""

    title = forms.CharField(max_length=120)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. Placeholders: "
        + ", ".join(
            "{{ " + name + " }} (" + meaning + ")" for name, meaning in PLACEHOLDERS.items()
        )
        + ".",
    )
    scope = forms.ChoiceField(
        choices=CannedResponseScope.choices, initial=CannedResponseScope.PERSONAL
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text="For a team response: whose members see it.",
    )

    @classmethod
    def for_response(cls, response: CannedResponse | None, data=None) -> "CannedResponseForm":
        initial = (
            {
                "title": response.title,
                "body": response.body,
                "scope": response.scope,
                "team": response.team_id,
            }
            if response
            else None
        )
        return cls(data, initial=initial)
