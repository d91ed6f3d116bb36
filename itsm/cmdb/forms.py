from django import forms

from itsm.accounts.models import User
from itsm.cmdb.choices import CiStatus, CiType, RelationKind
from itsm.cmdb.models import ConfigurationItem, Service


class CiForm(forms.Form):
    """A configuration item in the desk; `version` guards an edit against a silent overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=120)
    ci_type = forms.ChoiceField(label="Type", choices=CiType.choices)
    status = forms.ChoiceField(choices=CiStatus.choices)
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        to_field_name="email",
        label="Owner (email)",
        widget=forms.EmailInput,
        error_messages={"invalid_choice": "No active user has that email address."},
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class CiRelationForm(forms.Form):
    """ "This CI <kind> <other>" or, turned round, "<other> <kind> this CI"."""

    direction = forms.ChoiceField(
        choices=[("out", "This CI …"), ("in", "… this CI")],
        initial="out",
        label="Read as",
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(choices=RelationKind.choices, label="Relation")
    other = forms.ModelChoiceField(
        queryset=ConfigurationItem.objects.all(),
        label="Other CI",
        to_field_name="name",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": "No configuration item has that name."},
    )


class ServiceCiForm(forms.Form):
    """Put a CI into a service (the CI is part of it)."""

    ci = forms.ModelChoiceField(
        queryset=ConfigurationItem.objects.all(),
        label="Configuration item",
        to_field_name="name",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": "No configuration item has that name."},
    )
