from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from itsm.cmdb.models import ConfigurationItem, Service


def service_list_for_browse() -> QuerySet[Service]:
    """Services with owner, team and CI count for the desk's browse page and the API."""
    return Service.objects.select_related("owner", "support_team").annotate(ci_count=Count("cis"))


def ci_list_for_browse() -> QuerySet[ConfigurationItem]:
    return ConfigurationItem.objects.select_related("service", "owner")


def service_get_for_browse(*, pk: int) -> Service:
    """One service for its desk page, shaped as the browse list, or 404."""
    return get_object_or_404(service_list_for_browse(), pk=pk)


def ci_get_for_browse(*, pk: int) -> ConfigurationItem:
    """One configuration item for its desk page, or 404."""
    return get_object_or_404(ci_list_for_browse(), pk=pk)


def ci_list_for_service(*, service: Service) -> QuerySet[ConfigurationItem]:
    """The configuration items of `service`, for its desk page."""
    return ci_list_for_browse().filter(service=service)
