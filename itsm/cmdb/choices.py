from django.db import models


class ServiceKind(models.TextChoices):
    BUSINESS = "business", "Business service"
    TECHNICAL = "technical", "Technical service"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class CiType(models.TextChoices):
    SERVER = "server", "Server"
    APPLICATION = "application", "Application"
    DATABASE = "database", "Database"
    NETWORK = "network", "Network device"
    STORAGE = "storage", "Storage"
    WORKSTATION = "workstation", "Workstation"
    CLOUD = "cloud", "Cloud resource"
    OTHER = "other", "Other"


class CiStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    OPERATIONAL = "operational", "Operational"
    MAINTENANCE = "maintenance", "In maintenance"
    RETIRED = "retired", "Retired"


class RelationKind(models.TextChoices):
    """How one CI needs another, read "source <kind> target"."""

    DEPENDS_ON = "depends_on", "depends on"
    RUNS_ON = "runs_on", "runs on"
    PART_OF = "part_of", "is part of"
    CONNECTS_TO = "connects_to", "connects to"


CRITICALITY_BADGE = {
    Criticality.LOW: "neutral",
    Criticality.MEDIUM: "info",
    Criticality.HIGH: "warning",
    Criticality.CRITICAL: "danger",
}
CI_STATUS_BADGE = {
    CiStatus.PLANNED: "info",
    CiStatus.OPERATIONAL: "success",
    CiStatus.MAINTENANCE: "warning",
    CiStatus.RETIRED: "neutral",
}
