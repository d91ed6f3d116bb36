"""HTML input for problem pages (validation only; services do the work)."""

from django import forms

from itsm.accounts.models import User
from itsm.accounts.roles import STAFF_ROLES
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.fieldlists import takes_fields
from problems.choices import RcaMethod
from problems.fields import PROBLEM_DESCRIPTION_FIELDS, PROBLEM_RCA_FORM_FIELDS
from tickets.choices import Priority
from tickets.models import Category


@takes_fields("version", PROBLEM_DESCRIPTION_FIELDS)
class ProblemForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    statement = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.P3)
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False)
    ci = forms.ModelChoiceField(
        queryset=ConfigurationItem.objects.all(), required=False, label="Configuration item"
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(parent=None, is_active=True), required=False
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, groups__name__in=STAFF_ROLES).distinct(),
        required=False,
    )


@takes_fields("version", PROBLEM_RCA_FORM_FIELDS)
class RcaForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    symptoms = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rca_method = forms.ChoiceField(
        choices=[("", "—"), *RcaMethod.choices], required=False, label="Method"
    )
    whys = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Analysis (one step per line: each why, or each fishbone cause)",
    )


class ProblemTransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    to_status = forms.CharField()
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    resolution_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(required=False)


class KnownErrorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    workaround = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    create_article = forms.BooleanField(required=False, label="Also draft a knowledge article")


class LinkIncidentsForm(forms.Form):
    numbers = forms.CharField(
        label="Incident numbers", help_text="Separated by spaces, commas or new lines."
    )

    def clean_numbers(self) -> list[str]:
        raw = self.cleaned_data["numbers"].replace(",", " ").split()
        return list(dict.fromkeys(n.strip().upper() for n in raw if n.strip()))


class LinkToProblemForm(forms.Form):
    problem = forms.CharField(label="Problem number", max_length=20)
