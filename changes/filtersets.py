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
    change_type = django_filters.ChoiceFilter(choices=ChangeType.choices, label="Type")
    risk = django_filters.ChoiceFilter(choices=RiskLevel.choices, method="filter_risk")
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.all(), field_name="services", distinct=True
    )
    ci = django_filters.ModelChoiceFilter(
        queryset=ConfigurationItem.objects.all(), field_name="cis", distinct=True, label="CI"
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), field_name="assignment_team"
    )
    starts_after = DateTimeFilter(field_name="planned_start", lookup_expr="gte")
    starts_before = DateTimeFilter(field_name="planned_start", lookup_expr="lt")

    class Meta:
        model = ChangeRequest
        fields = ["q", "status", "change_type", "risk", "service", "ci", "team"]

    def filter_text(self, queryset, _name, value):
        return queryset.filter(Q(title__icontains=value) | Q(number__iexact=value.strip()))

    def filter_risk(self, queryset, _name, value):
        return queryset.filter(
            Q(risk_override_level=value) | Q(risk_override_level="", risk_assessed_level=value)
        )
