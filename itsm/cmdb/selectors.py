from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from itsm.cmdb import graph
from itsm.cmdb.models import CiRelation, ConfigurationItem, Service


def service_list_for_browse() -> QuerySet[Service]:
    """Services with owner, team and CI count for the desk's browse page and the API."""
    return (
        Service.objects.select_related("owner", "support_team")
        .annotate(ci_count=Count("cis"))
        .order_by("name", "pk")  # pages need a stable order
    )


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


def ci_relation_list() -> QuerySet[CiRelation]:
    """Relations with both ends, for the API."""
    return CiRelation.objects.select_related("source", "target")


def ci_relation_get(*, ci: ConfigurationItem, pk: int) -> CiRelation:
    """A relation of `ci` (at either end), or 404."""
    return get_object_or_404(ci_relation_list().filter(Q(source=ci) | Q(target=ci)), pk=pk)


@dataclass(frozen=True)
class CiNeighbourhood:
    """What the desk's CI page draws around a CI: its own relations (each read from this CI:
    "depends on X", "X runs on this") and the walks both ways."""

    outgoing: list[CiRelation]
    incoming: list[CiRelation]
    upstream: graph.Walk
    downstream: graph.Walk


def ci_neighbourhood(*, ci: ConfigurationItem) -> CiNeighbourhood:
    """Three queries whatever the graph's size: the relations, then one walk each way."""
    relations = list(ci_relation_list().filter(Q(source=ci) | Q(target=ci)).order_by("kind", "id"))
    return CiNeighbourhood(
        outgoing=[r for r in relations if r.source_id == ci.pk],
        incoming=[r for r in relations if r.target_id == ci.pk],
        upstream=graph.upstream(start=[ci.pk]),
        downstream=graph.downstream(start=[ci.pk]),
    )


@dataclass(frozen=True)
class ServiceNeighbourhood:
    """Around a service: what its CIs need, and what an outage of them reaches (the CIs that
    need them and the other services built on those)."""

    upstream: graph.Walk
    downstream: graph.Walk
    other_services: list[tuple[int, str]]


def service_neighbourhood(*, service: Service, ci_ids: list[int]) -> ServiceNeighbourhood:
    """Two queries: one walk each way from the service's CIs."""
    downstream = graph.downstream(start=ci_ids)
    return ServiceNeighbourhood(
        upstream=graph.upstream(start=ci_ids),
        downstream=downstream,
        other_services=[s for s in downstream.services if s[0] != service.pk],
    )
