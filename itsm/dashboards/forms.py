"""The dashboards' filter form: parsing only; the options lists come from the view."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from itsm.dashboards.selectors import MAX_RANGE_DAYS, DashboardFilters
from tickets.choices import Channel, Priority


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    # Plain integers (no queryset lookup per JSON request); the view fills the options.
    team = forms.IntegerField(required=False, min_value=1, widget=forms.Select)
    service = forms.IntegerField(required=False, min_value=1, widget=forms.Select)
    priority = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", "Any"), *Priority.choices]
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any"), *Channel.choices])

    def __init__(self, *args, teams=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].widget.choices = [("", "Any"), *teams]
        self.fields["service"].widget.choices = [("", "Any"), *services]

    def clean(self):
        cleaned = super().clean()
        default = DashboardFilters.default()
        date_to = cleaned.get("date_to") or default.date_to
        date_from = cleaned.get("date_from") or (date_to - (default.date_to - default.date_from))
        if date_from > date_to:
            raise forms.ValidationError("The start of the range is after its end.")
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError(f"Pick a range of at most {MAX_RANGE_DAYS} days.")
        if date_to > timezone.localdate() + timedelta(days=MAX_RANGE_DAYS):
            raise forms.ValidationError("The range is too far in the future.")
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def filters(self) -> DashboardFilters:
        """The parsed filters; only call after `is_valid()` returned True."""
        data = self.cleaned_data
        return DashboardFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            team_id=data.get("team"),
            service_id=data.get("service"),
            priority=data.get("priority"),
            channel=data.get("channel") or None,
        )
