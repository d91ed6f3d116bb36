import django_filters
from django.db.models import Q

from itsm.cmdb.choices import CiStatus, CiType, Criticality, RelationKind, ServiceKind
from itsm.cmdb.models import CiRelation, ConfigurationItem, Service


class ServiceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    kind = django_filters.ChoiceFilter(choices=ServiceKind.choices)
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices)
    support_team = django_filters.NumberFilter(field_name="support_team_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Service
        fields = ["q", "kind", "criticality", "support_team", "is_active"]

    def filter_text(self, queryset, _name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class ConfigurationItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    ci_type = django_filters.ChoiceFilter(choices=CiType.choices, label="Type")
    status = django_filters.ChoiceFilter(choices=CiStatus.choices)
    service = django_filters.NumberFilter(field_name="service_id")

    class Meta:
        model = ConfigurationItem
        fields = ["q", "ci_type", "status", "service"]

    def filter_text(self, queryset, _name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class CiRelationFilterSet(django_filters.FilterSet):
    source = django_filters.NumberFilter(field_name="source_id")
    target = django_filters.NumberFilter(field_name="target_id")
    ci = django_filters.NumberFilter(method="filter_ci", label="Either end")
    kind = django_filters.ChoiceFilter(choices=RelationKind.choices)

    class Meta:
        model = CiRelation
        fields = ["source", "target", "ci", "kind"]

    def filter_ci(self, queryset, _name, value):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))
