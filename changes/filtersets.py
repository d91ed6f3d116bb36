"""One FilterSet for the desk change list and /api/v1/changes/."""

import django_filters
from django.db.models import Q

from changes.choices import ChangeRequestStatus, ChangeType, RiskLevel
from changes.models import ChangeRequest
from itsm.accounts.models import Team
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.filters import DateTimeFilter


class ChangeRequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=ChangeRequestStatus.choices)
    change_type = django_filters.ChoiceFilter(
        choices=ChangeType.choices, label="Type", empty_label="Any type"
    )
    # A method filter has no model field to take its label from (django-filter then says
    # "[invalid name]"), so every filter names itself.
    risk = django_filters.ChoiceFilter(
        choices=RiskLevel.choices, method="filter_risk", label="Risk", empty_label="Any risk"
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.all(),
        field_name="services",
        distinct=True,
        label="Service",
        empty_label="Any service",
    )
    ci = django_filters.ModelChoiceFilter(
        queryset=ConfigurationItem.objects.all(), field_name="cis", distinct=True, label="CI"
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(),
        field_name="assignment_team",
        label="Team",
        empty_label="Any team",
    )
    starts_after = DateTimeFilter(
        field_name="planned_start", lookup_expr="gte", label="Starts on or after"
    )
    starts_before = DateTimeFilter(
        field_name="planned_start", lookup_expr="lt", label="Starts before"
    )

    class Meta:
        model = ChangeRequest
        fields = ["q", "status", "change_type", "risk", "service", "ci", "team"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" in data:
            # The desk's "Any status" option sends `status=`; the API may send several.
            data = data.copy()
            data.setlist("status", [value for value in data.getlist("status") if value])
        super().__init__(data, *args, **kwargs)

    def filter_text(self, queryset, _name, value):
        return queryset.filter(Q(title__icontains=value) | Q(number__iexact=value.strip()))

    def filter_risk(self, queryset, _name, value):
        return queryset.filter(
            Q(risk_override_level=value) | Q(risk_override_level="", risk_assessed_level=value)
        )
