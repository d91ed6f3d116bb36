"""HTML input validation for the release pages. Forms never save: services do."""

from django import forms

from changes.choices import ChangeRequestStatus
from changes.models import ChangeRequest
from itsm.accounts.models import Team, User
from itsm.core.fieldlists import takes_fields
from itsm.core.filters import AwareDateTimeField
from knowledge.models import Article
from releases.choices import ReleaseStatus, ReleaseType, StepStatus
from releases.fields import RELEASE_INPUT_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OPEN_CHANGES = ChangeRequest.objects.exclude(
    status__in=(ChangeRequestStatus.CANCELLED, ChangeRequestStatus.REJECTED)
).order_by("-created_at")


@takes_fields("version", RELEASE_INPUT_FIELDS)
class ReleaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=200)
    version_label = forms.CharField(max_length=50, required=False, label="Version")
    release_type = forms.ChoiceField(choices=ReleaseType.choices, label="Type")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    changes = forms.ModelMultipleChoiceField(queryset=OPEN_CHANGES, required=False)
    planned_build_at = AwareDateTimeField(widget=DATETIME, required=False, label="Build")
    planned_test_at = AwareDateTimeField(widget=DATETIME, required=False, label="Test")
    planned_deploy_at = AwareDateTimeField(widget=DATETIME, required=False, label="Deploy")
    hypercare_days = forms.IntegerField(min_value=0, max_value=90, initial=7)
    known_issues = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    communication = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Communication to users"
    )
    articles = forms.ModelMultipleChoiceField(
        queryset=Article.objects.filter(status="published"),
        required=False,
        label="Knowledge articles for agents",
    )


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(choices=ReleaseStatus.choices)


class StepForm(forms.Form):
    title = forms.CharField(max_length=200, label="Step")
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, teams__isnull=False).distinct(),
        required=False,
    )


class StepStatusForm(forms.Form):
    status = forms.ChoiceField(choices=StepStatus.choices)


class StaffingForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    agent = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, teams__isnull=False).distinct(),
        required=False,
    )
    starts_at = AwareDateTimeField(widget=DATETIME, label="From")
    ends_at = AwareDateTimeField(widget=DATETIME, label="To")
    notes = forms.CharField(max_length=200, required=False)
