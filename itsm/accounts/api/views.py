import django_filters
from django.db.models import Q
from rest_framework import viewsets

from itsm.accounts import selectors
from itsm.accounts.api.serializers import TeamSerializer, UserSerializer
from itsm.accounts.models import User
from itsm.core.permissions import IsDeskUser


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Name or email contains")
    team = django_filters.NumberFilter(field_name="teams")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["q", "team", "is_active"]

    def filter_text(self, queryset, _name, value):
        return queryset.filter(Q(display_name__icontains=value) | Q(email__icontains=value))


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People, for requester look-up and assignment. Managed in the admin."""

    serializer_class = UserSerializer
    permission_classes = [IsDeskUser]
    filterset_class = UserFilterSet
    ordering_fields = ["display_name", "email"]
    ordering = ["display_name"]

    def get_queryset(self):
        return selectors.user_list_for_api()


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Assignment groups with their lead and members. Managed in the admin."""

    serializer_class = TeamSerializer
    permission_classes = [IsDeskUser]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.team_list_for_api()
