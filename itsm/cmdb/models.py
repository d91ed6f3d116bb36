"""The configuration management database: what IT provides and what it is built from."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from itsm.cmdb.choices import CiStatus, CiType, Criticality, ServiceKind
from itsm.core.models import TimeStampedModel


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


class ConfigurationItem(TimeStampedModel):
    """A component that delivers a service: a server, an application, a network device…"""

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
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependants"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "configuration item"
        indexes = [models.Index(fields=["service", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cmdb:desk-ci-detail", args=[self.pk])
