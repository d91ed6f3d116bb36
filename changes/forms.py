"""HTML input validation for the change pages. Forms never save: services do."""

from django import forms

from changes import risk
from changes.choices import ChangeRequestStatus, ChangeType, ReviewOutcome, RiskLevel
from changes.fields import CHANGE_CREATE_ONLY_FIELDS, CHANGE_DESK_FIELDS
from changes.models import ChangeTemplate
from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.fieldlists import takes_fields
from itsm.core.filters import AwareDateTimeField

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _choices(table: dict) -> list[tuple[str, str]]:
    return [(key, key.capitalize()) for key in table]


class _ChangeDeskForm(forms.Form):
    """The inputs the desk's create and edit forms share (`CHANGE_DESK_FIELDS`)."""

    title = forms.CharField(max_length=200)
    public_title = forms.CharField(
        max_length=200,
        required=False,
        label="Title requesters see",
        help_text="On the portal's planned-maintenance banner; empty, it starts as the title.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False, label="Affected services"
    )
    cis = forms.ModelMultipleChoiceField(
        queryset=ConfigurationItem.objects.all(), required=False, label="Affected CIs"
    )
    planned_start = AwareDateTimeField(widget=DATETIME, required=False)
    planned_end = AwareDateTimeField(widget=DATETIME, required=False)
    implementation_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    backout_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    test_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    assignment_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    implementer = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, teams__isnull=False).distinct(),
        required=False,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", "The planned end must be after the start.")
        return data


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(choices=ChangeRequestStatus.choices)
    reason = forms.CharField(max_length=300, required=False)
    blackout_override_reason = forms.CharField(
        max_length=300, required=False, label="Blackout override reason"
    )
    window_override_reason = forms.CharField(
        max_length=300, required=False, label="Outside-window override reason"
    )
    review_outcome = forms.ChoiceField(
        choices=[("", "—"), *ReviewOutcome.choices], required=False, label="Outcome"
    )
    review_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Review notes"
    )


class RiskForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    impact = forms.ChoiceField(choices=_choices(risk.IMPACT), label="Impact on services")
    likelihood = forms.ChoiceField(choices=_choices(risk.LIKELIHOOD), label="Likelihood of failure")
    backout = forms.ChoiceField(choices=_choices(risk.BACKOUT), label="Backout difficulty")
    criticality = forms.ChoiceField(
        choices=[("", "From the services"), *_choices(risk.CRITICALITY)],
        required=False,
        label="Service criticality",
    )


class RiskOverrideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ChoiceField(choices=[("", "No override"), *RiskLevel.choices], required=False)
    reason = forms.CharField(max_length=300, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approved", "Approve"), ("rejected", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LinkIncidentForm(forms.Form):
    incident = forms.CharField(max_length=20, label="Incident number")
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ChangePublicTitleForm(forms.Form):
    """The requesters' wording alone: correctable while the change is live."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    public_title = forms.CharField(
        max_length=200,
        label="Title requesters see",
        help_text="On the portal's planned-maintenance banner.",
    )


@takes_fields(CHANGE_CREATE_ONLY_FIELDS, CHANGE_DESK_FIELDS)
class ChangeCreateForm(_ChangeDeskForm):
    change_type = forms.ChoiceField(
        choices=[(ChangeType.NORMAL, "Normal"), (ChangeType.EMERGENCY, "Emergency")],
        label="Type",
        help_text="Standard changes are raised from a template.",
    )
    template = forms.ModelChoiceField(
        queryset=ChangeTemplate.objects.filter(is_active=True),
        required=False,
        label="Standard change template",
        help_text="Choosing a template makes this a pre-approved standard change.",
    )
    # The type and template right below the titles, where the page has always asked them.
    field_order = ["title", "public_title", "change_type", "template"]


@takes_fields("version", CHANGE_DESK_FIELDS)
class ChangeEditForm(_ChangeDeskForm):
    """Editing a draft or assessed change; its type and template are fixed once raised."""

    version = forms.IntegerField(widget=forms.HiddenInput)
