"""One FilterSet for the desk problem list and /api/v1/problems/."""

import django_filters
from django.db.models import Q

from itsm.accounts.models import User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.filters import DateTimeFilter
from problems.choices import OPEN_PROBLEM_STATUSES, ProblemStatus
from problems.models import Problem
from tickets.choices import Priority
from tickets.models import Category

STATUS_CHOICES = [("open", "Open (not resolved or closed)"), *ProblemStatus.choices]


class ProblemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.all())
    ci = django_filters.ModelChoiceFilter(queryset=ConfigurationItem.objects.all(), label="CI")
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.filter(parent=None))
    assignee = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(teams__isnull=False).distinct()
    )
    is_known_error = django_filters.BooleanFilter(label="Known error")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Problem
        fields = []

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_PROBLEM_STATUSES)
        return queryset.filter(status=value)

    def filter_text(self, queryset, name, value):
        value = value.strip()[:200]
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value)
            | Q(statement__icontains=value)
            | Q(root_cause__icontains=value)
            | Q(workaround__icontains=value)
        )
