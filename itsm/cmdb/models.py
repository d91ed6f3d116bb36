"""The configuration management database: what IT provides and what it is built from."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from itsm.cmdb.choices import CiStatus, CiType, Criticality, RelationKind, ServiceKind
from itsm.core.models import TimeStampedModel, VersionedModel


class Service(TimeStampedModel):
    """A service the organisation relies on (business) or that IT runs (technical).

    Tickets, changes and problems point at a service; its support team is the default
    assignment group and its owner is a stakeholder in major incidents.
    """

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(
        max_length=20, choices=ServiceKind.choices, default=ServiceKind.BUSINESS
    )
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_services",
    )
    support_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supported_services",
    )
    criticality = models.CharField(
        max_length=20, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cmdb:desk-service-detail", args=[self.pk])


class ConfigurationItem(TimeStampedModel, VersionedModel):
    """A component that delivers a service: a server, an application, a network device…

    `service` is the CI's place in a service (the service is built from its CIs: an outage of
    the CI reaches the service). How CIs need one another is in `CiRelation`.
    """

    name = models.CharField(max_length=120, unique=True)
    ci_type = models.CharField("type", max_length=20, choices=CiType.choices, default=CiType.SERVER)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="cis"
    )
    status = models.CharField(max_length=20, choices=CiStatus.choices, default=CiStatus.OPERATIONAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cis",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "configuration item"
        indexes = [models.Index(fields=["service", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cmdb:desk-ci-detail", args=[self.pk])


class CiRelation(TimeStampedModel):
    """A typed edge between two CIs, read "source <kind> target": `app-01 runs on vm-7`,
    `crm-app depends on DB-CLUSTER-2`, `db-node-1 is part of DB-CLUSTER-2`.

    Which kinds carry an outage, and in which direction, is `itsm.cmdb.graph`'s to say.
    """

    source = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="relations_out"
    )
    target = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="relations_in"
    )
    kind = models.CharField(max_length=20, choices=RelationKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = "CI relation"
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ci_relation_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ci_relation_not_self"
            ),
        ]
        # The unique constraint's index serves walks by source; walks by target need this one.
        indexes = [models.Index(fields=["target", "kind", "source"], name="ci_relation_target")]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"
