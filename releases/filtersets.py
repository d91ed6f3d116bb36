"""One FilterSet for the desk release list and /api/v1/releases/."""

import django_filters
from django.db.models import Q

from itsm.core.filters import DateTimeFilter
from releases.choices import ReleaseStatus, ReleaseType
from releases.models import Release


class ReleaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=ReleaseStatus.choices)
    release_type = django_filters.ChoiceFilter(choices=ReleaseType.choices, label="Type")
    change = django_filters.CharFilter(field_name="changes__number", label="Change number")
    deploy_after = DateTimeFilter(field_name="planned_deploy_at", lookup_expr="gte")
    deploy_before = DateTimeFilter(field_name="planned_deploy_at", lookup_expr="lt")

    class Meta:
        model = Release
        fields = ["q", "status", "release_type", "change"]

    def filter_text(self, queryset, _name, value):
        return queryset.filter(Q(name__icontains=value) | Q(number__iexact=value.strip()))
