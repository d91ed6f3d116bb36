"""FilterSets of the service catalog lists (fulfilment tasks, approvals)."""

import django_filters

from tickets.choices import ApprovalState, TaskStatus
from tickets.models import Approval, FulfilmentTask


class TaskFilterSet(django_filters.FilterSet):
    team = django_filters.CharFilter(method="filter_team", label="Team (id or name)")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    request = django_filters.CharFilter(field_name="ticket__number", label="Request number")

    class Meta:
        model = FulfilmentTask
        fields = ["team", "status", "request"]

    def filter_team(self, queryset, _name, value):
        if value.isdigit():
            return queryset.filter(team_id=int(value))
        return queryset.filter(team__name__iexact=value)


class ApprovalFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApprovalState.choices)

    class Meta:
        model = Approval
        fields = ["state"]
