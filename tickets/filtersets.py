"""One FilterSet for the desk queues and the API, so both mean the same by `status=open`."""

from datetime import timedelta

import django_filters
from django.forms import NullBooleanSelect
from django.utils import timezone

from itsm.accounts.models import Team, User
from itsm.cmdb.models import Service
from itsm.core.filters import DateTimeFilter, FormBuiltOnce
from tickets.choices import OPEN_STATUSES, Channel, Priority, TicketKind, TicketStatus
from tickets.models import Category, Ticket, TimeEntry

STATUS_CHOICES = [("open", "Open (new, in progress, on hold)"), *TicketStatus.choices]
AGE_CHOICES = [
    ("1", "Older than 1 day"),
    ("3", "Older than 3 days"),
    ("7", "Older than a week"),
    ("30", "Older than a month"),
]


def use_cached_choices(form, names) -> None:
    """Point the selects `names` of `form` at tickets.selectors.filter_choice_lists: the
    widget draws from the list, the field's queryset still validates what is submitted."""
    from tickets.selectors import filter_choice_lists

    lists = filter_choice_lists()
    for name in names:
        field = form.fields[name]
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        field.widget.choices = [*empty, *lists[name]]


# What an unset select says in the filter bar.
ANY = "Any"


class AnyYesNo(NullBooleanSelect):
    """A yes/no filter whose unset choice reads like the other selects'."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", ANY), ("true", "Yes"), ("false", "No")]


class TicketFilterSet(FormBuiltOnce, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    kind = django_filters.ChoiceFilter(choices=TicketKind.choices, label="Type", empty_label=ANY)
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label=ANY
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label=ANY)
    team = django_filters.ModelChoiceFilter(
        field_name="assignment_team", queryset=Team.objects.all(), label="Team", empty_label=ANY
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(teams__isnull=False).distinct(),
        label="Agent",
        empty_label=ANY,
    )
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", label="Unassigned", widget=AnyYesNo
    )
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.all(), empty_label=ANY)
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.filter(parent=None), empty_label=ANY
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, empty_label=ANY)
    requester = django_filters.CharFilter(
        field_name="requester__email", lookup_expr="iexact", label="Requester email"
    )
    older_than_days = django_filters.ChoiceFilter(
        choices=AGE_CHOICES, method="filter_age", label="Age", empty_label=ANY
    )
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields = [
            "q",
            "kind",
            "status",
            "priority",
            "team",
            "assignee",
            "unassigned",
            "service",
            "category",
            "channel",
            "requester",
            "older_than_days",
            "created_after",
            "created_before",
        ]

    def filter_text(self, queryset, _name, value):
        from tickets.selectors import ticket_list_matching

        return ticket_list_matching(tickets=queryset, text=value)

    def filter_status(self, queryset, _name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_age(self, queryset, _name, value):
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(value)))


class TimeEntryFilterSet(django_filters.FilterSet):
    """Time entries by who, which team, which ticket and which days (inclusive), for
    /api/v1/time-entries/ and its totals. Ids are matched as sent (no look-up query): an id
    that names nothing matches nothing."""

    agent = django_filters.NumberFilter(field_name="agent_id", label="Agent (user id)")
    agent_email = django_filters.CharFilter(
        field_name="agent__email", lookup_expr="iexact", label="Agent email"
    )
    team = django_filters.NumberFilter(field_name="team_id", label="Team (id)")
    ticket = django_filters.CharFilter(
        field_name="ticket__number", lookup_expr="iexact", label="Ticket number"
    )
    worked_after = django_filters.DateFilter(
        field_name="worked_on", lookup_expr="gte", label="Worked on or after (YYYY-MM-DD)"
    )
    worked_before = django_filters.DateFilter(
        field_name="worked_on", lookup_expr="lte", label="Worked on or before (YYYY-MM-DD)"
    )

    class Meta:
        model = TimeEntry
        fields = ["agent", "agent_email", "team", "ticket", "worked_after", "worked_before"]
