"""HTML input validation for desk and portal ticket pages. Forms never save: services do."""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse_lazy

from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.fieldlists import takes_fields
from itsm.core.widgets import FastSelect
from knowledge.choices import ArticleStatus
from knowledge.models import Article
from tickets import selectors
from tickets.choices import (
    BulkAction,
    Channel,
    Impact,
    OnHoldReason,
    Priority,
    ReplyAndSet,
    ResolutionCode,
    TicketKind,
    TicketStatus,
    Urgency,
)
from tickets.fields import REQUESTER_REPORT_FIELDS, TICKET_CREATE_FIELDS, TICKET_EDITABLE_FIELDS
from tickets.models import Category, Macro
from tickets.services.macros import MACRO_FIELDS, macro_choices
from tickets.services.queue import BULK_MAX_TICKETS, BulkParams, BulkTarget
from tickets.services.time import MINUTES_NOT_A_NUMBER, NOTE_MAX_CHARS, minutes_problem


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def attachment_help_text(max_bytes: int | None = None) -> str:
    """The upload rules of tickets.attachments.check_upload, in words, under a file field."""
    limit = max_bytes or settings.ITSM_ATTACHMENT_MAX_BYTES
    return (
        f"Up to {limit // 1_048_576} MB each; {', '.join(settings.ITSM_ATTACHMENT_ALLOWED_TYPES)}."
    )


@takes_fields("kind", "attachments", TICKET_CREATE_FIELDS)
class TicketCreateForm(forms.Form):
    """The desk's "new ticket on behalf of a caller" form."""

    requester = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="email",
        widget=forms.TextInput(
            attrs={
                "list": "requester-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("tickets:desk-requester-lookup"),
                "hx-target": "#requester-options",
                "hx-trigger": "keyup changed delay:250ms",
            }
        ),
        help_text="Type the caller's name or email.",
        error_messages={"invalid_choice": "No active person has that email address."},
    )
    kind = forms.ChoiceField(choices=TicketKind.choices, initial=TicketKind.INCIDENT, label="Type")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE)
    short_description = forms.CharField(max_length=200, label="Short description")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(parent=None, is_active=True), required=False
    )
    subcategory = forms.ModelChoiceField(
        queryset=Category.objects.filter(parent__isnull=False, is_active=True), required=False
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False
    )
    ci = forms.ModelChoiceField(
        queryset=ConfigurationItem.objects.all(), required=False, label="Configuration item"
    )
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int, initial=Impact.LOW)
    urgency = forms.TypedChoiceField(choices=Urgency.choices, coerce=int, initial=Urgency.LOW)
    assignment_team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, label="Team"
    )
    attachments = MultipleFileField(required=False, label="Screenshots or files")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help_text()


def offer_only(field: forms.Field, choices: QuerySet | list[tuple[Any, str]]) -> None:
    """Offer only `choices` (a queryset, or (value, label) pairs) in the field's list while
    still accepting any value of its own queryset: a list that follows another choice (the
    team's agents, the category's subcategories) is a help, and a value that does not fit
    is refused by the service, in its own words, next to the control."""
    assert isinstance(field, forms.ModelChoiceField)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    if isinstance(choices, QuerySet):
        key = field.to_field_name or "pk"
        # A plain read: Django's choice iterator opens a server-side cursor (WITH HOLD,
        # outside a transaction) for a list of a few people.
        choices = [(getattr(obj, key), str(obj)) for obj in choices]
    field.widget.choices = [*empty, *choices]


class PersonListField(forms.ModelMultipleChoiceField):
    """People by email; blank entries (the empty "add someone" box) are left out."""

    def clean(self, value):
        return super().clean([item.strip() for item in value or [] if item and item.strip()])


@takes_fields("version", TICKET_EDITABLE_FIELDS)
class TicketEditForm(forms.Form):
    """An inline edit on the desk ticket page. The view keeps only the fields of the part
    being edited (`only`), so one form (and `ticket_update`) serves every part. The
    subcategory list follows the chosen category, the CI list the chosen service."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    requester = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="email",
        widget=forms.TextInput(
            attrs={
                "list": "requester-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("tickets:desk-requester-lookup"),
                "hx-target": "#requester-options",
                "hx-trigger": "keyup changed delay:250ms",
                "hx-swap": "innerHTML",
            }
        ),
        help_text="Type the name or email of the person affected.",
        error_messages={
            "required": "Choose the person affected.",
            "invalid_choice": "No active person has that email address.",
        },
    )
    channel = forms.ChoiceField(choices=Channel.choices)
    # Not required here: the service refuses an empty one with its own message.
    short_description = forms.CharField(max_length=200, required=False, label="Short description")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(parent=None, is_active=True), required=False
    )
    subcategory = forms.ModelChoiceField(
        queryset=Category.objects.filter(parent__isnull=False, is_active=True), required=False
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False
    )
    ci = forms.ModelChoiceField(
        queryset=ConfigurationItem.objects.all(), required=False, label="Configuration item"
    )
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(choices=Urgency.choices, coerce=int)
    watchers = PersonListField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="email",
        required=False,
        error_messages={"invalid_choice": "No active person has the email address %(value)s."},
    )

    def __init__(self, *args, only: tuple[str, ...], refresh_url: str = "", **kwargs):
        kwargs.setdefault("auto_id", "edit-%s")
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - {"version", *only}:
            del self.fields[name]
        if "subcategory" in self.fields:
            category = self._chosen("category")
            offer_only(
                self.fields["subcategory"],
                Category.objects.filter(parent_id=category, is_active=True)
                if category
                else Category.objects.none(),
            )
        if "ci" in self.fields:
            service = self._chosen("service")
            offer_only(
                self.fields["ci"],
                ConfigurationItem.objects.filter(Q(service_id=service) | Q(service=None))
                if service
                else ConfigurationItem.objects.all(),
            )
        for leader in ("category", "service"):
            if refresh_url and leader in self.fields:
                # The dependent list is drawn again by the server when the leader changes;
                # what else was typed in the editor travels along and is kept.
                self.fields[leader].widget.attrs.update(
                    {
                        "hx-get": refresh_url,
                        "hx-trigger": "change",
                        "hx-include": "closest form",
                        "hx-target": "closest .field-editor",
                        "hx-swap": "innerHTML",
                    }
                )

    def _chosen(self, name: str) -> int | None:
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        value = getattr(value, "pk", value)
        return int(str(value)) if str(value or "").isdigit() else None


@takes_fields(REQUESTER_REPORT_FIELDS)
class PortalIncidentForm(forms.Form):
    """What a requester fills in to report an incident."""

    short_description = forms.CharField(
        max_length=200,
        label="What is wrong?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. I cannot connect to the VPN"}),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Details",
        help_text="What did you try, what did you see, since when?",
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False, label="Affected service"
    )
    urgency = forms.TypedChoiceField(
        choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM, label="How urgent is it?"
    )
    attachments = MultipleFileField(required=False, label="Screenshots or files")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help_text()


class ReplyForm(forms.Form):
    # The desk sends the version the agent read; the portal sends none (no check).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Message",
        error_messages={"required": "Write something before sending."},
    )
    visibility = forms.ChoiceField(
        choices=[
            ("public", "Public reply (the requester sees it)"),
            ("internal", "Work note (agents only)"),
        ],
        initial="public",
        widget=forms.RadioSelect,
        required=False,
    )
    attachments = MultipleFileField(required=False)
    # The desk's "Reply and set …" buttons (tickets.services.ticket_reply_and_set).
    set_status = forms.ChoiceField(
        choices=[("", "—"), *ReplyAndSet.choices], required=False, widget=forms.HiddenInput
    )
    resolution_code = forms.ChoiceField(
        choices=ResolutionCode.choices,
        initial=ResolutionCode.SOLVED,
        required=False,
        label="Outcome (for Reply and resolve)",
        # Its own id: the status form on the same page has a resolution code too.
        widget=FastSelect(attrs={"id": "reply-resolution-code"}),
    )

    def __init__(self, *args, max_bytes: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help_text(max_bytes)

    @property
    def is_public(self) -> bool:
        return self.cleaned_data.get("visibility") != "internal"

    def clean(self):
        data = super().clean()
        if data.get("set_status") and data.get("visibility") == "internal":
            self.add_error(None, "Only a public reply can set the status; a work note cannot.")
        return data


class MinutesWorkedField(forms.IntegerField):
    """Minutes worked: a whole number from 1 to a day, refused with the service's words."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Time worked (minutes)")
        kwargs.setdefault("error_messages", {"invalid": MINUTES_NOT_A_NUMBER})
        # No min/max/step on the input: the browser would refuse out-of-range values with its
        # own bubble before the server could say, next to the field, what is allowed.
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and (problem := minutes_problem(value)):
            raise forms.ValidationError(problem, code="bounds")


class DeskReplyForm(ReplyForm):
    """The desk's reply form: a reply or work note, optionally with the time it took."""

    minutes = MinutesWorkedField(
        required=False,
        help_text="Optional: logged with this reply or work note.",
    )


class TimeEntryForm(forms.Form):
    """The ticket page's "Log time" form (tickets.services.time_entry_log)."""

    minutes = MinutesWorkedField(
        error_messages={"invalid": MINUTES_NOT_A_NUMBER, "required": "Enter the minutes worked."}
    )
    worked_on = forms.DateField(
        label="Day worked",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today.",
        error_messages={"invalid": "Enter the day as a date, e.g. 2026-12-03."},
    )
    note = forms.CharField(
        label="What you did",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the reply form on the same page has a minutes field too.
        kwargs.setdefault("auto_id", "id_time_%s")
        super().__init__(*args, **kwargs)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=TicketStatus.choices, widget=FastSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)
    on_hold_reason = forms.ChoiceField(
        choices=[("", "—"), *OnHoldReason.choices],
        required=False,
        label="On-hold reason",
        widget=FastSelect,
    )
    resolution_code = forms.ChoiceField(
        choices=[("", "—"), *ResolutionCode.choices],
        required=False,
        label="Resolution code",
        widget=FastSelect,
    )
    resolution_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(max_length=300, required=False)


def team_choice_field(*, agent_select: str) -> forms.ModelChoiceField:
    """A team picker whose change redraws the agent list `agent_select` (a CSS selector) with
    the team's members."""
    return forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        widget=FastSelect(
            attrs={
                "hx-get": reverse_lazy("tickets:desk-team-agents"),
                "hx-trigger": "change",
                "hx-target": agent_select,
                "hx-swap": "innerHTML",
            }
        ),
    )


def agent_choice_field() -> forms.ModelChoiceField:
    # Any active person is accepted here: whether they may take the ticket (a member of the
    # chosen team) is the service's to say, in its own words next to the control.
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        label="Agent",
        widget=FastSelect,
    )


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    team = team_choice_field(agent_select="#id_assignee")
    assignee = agent_choice_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        team = self.data.get("team") if self.is_bound else self.initial.get("team")
        offer_only(
            self.fields["assignee"],
            selectors.team_agent_choices(team_id=getattr(team, "pk", team)),
        )


class PriorityForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, widget=FastSelect)
    reason = forms.CharField(max_length=300, help_text="Why it differs from impact × urgency.")


class LinkForm(forms.Form):
    relation = forms.ChoiceField(
        choices=[("parent", "Child of"), ("duplicate", "Duplicate of")], widget=FastSelect
    )
    number = forms.CharField(max_length=20, label="Ticket number")
    version = forms.IntegerField(widget=forms.HiddenInput)


class DuplicateOfForm(forms.Form):
    """ "Mark as duplicate" on a similar ticket: which ticket, and the version the agent read."""

    duplicate_of = forms.CharField(max_length=20)
    version = forms.IntegerField()


class BulkForm(forms.Form):
    """The queue's bulk bar: one action for the selected tickets. Which fields an action needs
    (a team, the resolution code and notes, the message…) is the service's to check, once for
    the whole selection (tickets.services.tickets_bulk_apply); each selected ticket's version
    travels as `version_<number>` beside its checkbox."""

    action = forms.ChoiceField(choices=BulkAction.choices, label="Action", widget=FastSelect)
    team = team_choice_field(agent_select="#bulk-assignee")
    assignee = agent_choice_field()
    to_status = forms.ChoiceField(
        choices=[("", "—"), *TicketStatus.choices],
        required=False,
        label="New status",
        widget=FastSelect,
    )
    on_hold_reason = forms.ChoiceField(
        choices=[("", "—"), *OnHoldReason.choices],
        required=False,
        label="On-hold reason",
        widget=FastSelect,
    )
    resolution_code = forms.ChoiceField(
        choices=[("", "—"), *ResolutionCode.choices],
        required=False,
        label="Resolution code",
        widget=FastSelect,
    )
    resolution_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Resolution notes"
    )
    impact = forms.TypedChoiceField(
        choices=[("", "—"), *Impact.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=FastSelect,
    )
    urgency = forms.TypedChoiceField(
        choices=[("", "—"), *Urgency.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=FastSelect,
    )
    priority = forms.TypedChoiceField(
        choices=[("", "— from impact × urgency"), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Or override the priority",
        widget=FastSelect,
    )
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason",
        help_text="Why the priority differs from the matrix, or why the tickets are cancelled.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Message"
    )
    target = forms.CharField(
        max_length=20,
        required=False,
        label="Merge into",
        help_text="The ticket that stays open; the other selected tickets become its duplicates.",
    )
    macro = forms.ModelChoiceField(
        queryset=Macro.objects.all(), required=False, label="Macro", widget=FastSelect
    )

    def __init__(self, *args, **kwargs):
        # The queue's filter bar has its own `team` and `status` selects on the same page.
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        # Drawn from the cached list (no query on the queue page); the queryset validates.
        self.fields["macro"].widget.choices = [("", "—"), *macro_choices()]
        team = self.data.get("team") if self.is_bound else None
        offer_only(self.fields["assignee"], selectors.team_agent_choices(team_id=team))

    def params(self) -> BulkParams:
        data = self.cleaned_data
        return BulkParams(
            team=data["team"],
            assignee=data["assignee"],
            to_status=data["to_status"],
            on_hold_reason=data["on_hold_reason"],
            resolution_code=data["resolution_code"],
            resolution_notes=data["resolution_notes"],
            reason=data["reason"],
            impact=data["impact"],
            urgency=data["urgency"],
            priority=data["priority"],
            body=data["body"],
            target=data["target"],
            macro=data["macro"],
        )


def bulk_selection(data: QueryDict) -> list[BulkTarget]:
    """The ticked tickets, each with the version drawn beside its checkbox (`version_<number>`);
    one without a readable version is passed as None, which the service refuses."""
    selection = []
    for number in data.getlist("numbers")[: BULK_MAX_TICKETS + 1]:
        raw = data.get(f"version_{number}", "")
        selection.append(BulkTarget(number[:20], int(raw) if raw.isdigit() else None))
    return selection


class MacroApplyForm(forms.Form):
    """The ticket page's macro control: which macro, and the version the agent saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    macro = forms.ModelChoiceField(
        queryset=Macro.objects.all(), label="Macro", widget=FastSelect, empty_label="—"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "macro-%s")
        super().__init__(*args, **kwargs)
        self.fields["macro"].widget.choices = [("", "—"), *macro_choices()]


class MacroForm(forms.ModelForm):
    """A macro's name, owner and steps; the service checks the steps hang together and who
    may keep it (tickets.services.macro_create/macro_update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Macro
        fields = list(MACRO_FIELDS)
        widgets = {
            "reply_body": forms.Textarea(attrs={"rows": 3}),
            "note_body": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"team": "Owner team", "assignment_team": "Assign to team"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            parent__isnull=True, is_active=True
        )
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, teams__isnull=False
        ).distinct()
        self.fields["article"].queryset = Article.objects.filter(status=ArticleStatus.PUBLISHED)
        self.fields["team"].empty_label = "— global (all teams)"

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def validate_unique(self) -> None:
        # The service says it in its own words (a name taken, a team one may not manage).
        return
