from django.db.models import Count, QuerySet

from itsm.cmdb.models import ConfigurationItem, Service


def service_list_for_browse() -> QuerySet[Service]:
    """Services with owner, team and CI count for the desk's browse page and the API."""
    return Service.objects.select_related("owner", "support_team").annotate(ci_count=Count("cis"))


def ci_list_for_browse() -> QuerySet[ConfigurationItem]:
    return ConfigurationItem.objects.select_related("service", "owner")
