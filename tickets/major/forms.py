"""HTML input for major-incident pages (validation only; services do the work)."""

from django import forms

from itsm.accounts.models import User
from itsm.accounts.roles import STAFF_ROLES
from itsm.core.filters import AwareDateTimeField
from itsm.core.widgets import FastSelect
from tickets.selectors import filter_choice_lists


def _desk_people():
    return (
        User.objects.filter(is_active=True, groups__name__in=STAFF_ROLES)
        .distinct()
        .order_by("display_name", "email")
    )


class DeclareMajorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Major incident manager", widget=FastSelect
    )
    communications_owner = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Communications owner", widget=FastSelect
    )
    # Set by "declare anyway" after the desk was told one is already open on the service.
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Both selects draw the desk's people from the cached list; the querysets only
        # validate, so an unbound form (every ticket page draws one) does not build them.
        if self.is_bound:
            self.fields["manager"].queryset = _desk_people()
            self.fields["communications_owner"].queryset = _desk_people()
        people = [("", "---------"), *filter_choice_lists()["desk_people"]]
        self.fields["manager"].widget.choices = people
        self.fields["communications_owner"].widget.choices = people


class MajorDeskInstructionsForm(forms.Form):
    caller_script = forms.CharField(
        label="What to tell callers",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Agents read this on every affected ticket (internal).",
    )
    public_wording = forms.CharField(
        label="Public wording",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What agents may write in public replies to requesters.",
    )
    next_update_due_at = AwareDateTimeField(
        label="Next update due",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: one cadence after the last update.",
    )


class MajorUpdateForm(forms.Form):
    body = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(
        label="Public (requesters, subscribers and the portal banner see it)", required=False
    )


class MajorPublicTitleForm(forms.Form):
    public_title = forms.CharField(
        label="Title requesters see",
        max_length=200,
        help_text="On the portal banner and in requesters' updates; the incident's own short "
        "description stays internal.",
    )


class MajorResolveForm(forms.Form):
    public_note = forms.CharField(
        label="Resolution note (sent to every affected requester)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MajorReviewForm(forms.Form):
    timeline = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class JoinMajorForm(forms.Form):
    description = forms.CharField(
        label="What do you see? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def declare_major_form_for(*, ticket, user) -> DeclareMajorForm:
    """The ticket page's declare form, the current user preselected as manager and
    communications owner."""
    pk = getattr(user, "pk", None)
    return DeclareMajorForm(
        initial={"version": ticket.version, "manager": pk, "communications_owner": pk},
        # The ticket page has its own `reason` field (transitions): keep the ids unique.
        auto_id="declare-major-%s",
    )
