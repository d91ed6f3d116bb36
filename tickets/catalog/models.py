"""The service catalog: what requesters can order, the order form, approvals and fulfilment tasks.

Part of the tickets app (same label and tables): `tickets.models` imports these models so Django
registers them, and they refer to the ticket by name to keep the import one-way.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from tickets.choices import ApprovalMode, ApprovalState, CatalogFieldType, TaskStatus


class CatalogCategory(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "catalog categories"

    def __str__(self) -> str:
        return self.name


class CatalogItem(TimeStampedModel):
    """Something requesters can order, with a form defined by data and its approval rules.

    Approvals: the requester's manager and/or the members of `approval_team`; `approval_mode`
    says whether all of them or any one must approve. Fulfilment tasks come from the item's
    task templates: templates with the same `step` run in parallel, steps run in order.
    """

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    category = models.ForeignKey(
        CatalogCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    short_description = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fulfilment_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requires_manager_approval = models.BooleanField(default=False)
    approval_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval_mode = models.CharField(
        max_length=10, choices=ApprovalMode.choices, default=ApprovalMode.ALL
    )
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The fulfilment team's working days, for the earliest date a date field "
        "accepts; empty means Monday to Friday.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CatalogField(models.Model):
    """One field of a catalog item's order form."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="fields")
    name = models.SlugField(max_length=60, help_text="Key in the request's form data.")
    label = models.CharField(max_length=150)
    field_type = models.CharField(max_length=20, choices=CatalogFieldType.choices)
    required = models.BooleanField(default=True)
    help_text = models.CharField(max_length=300, blank=True)
    choices = ArrayField(models.CharField(max_length=150), default=list, blank=True)
    min_business_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Date fields: the earliest accepted date is this many working days after "
        "today (in the item's calendar).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="catalog_field_unique_name")
        ]

    def __str__(self) -> str:
        return self.label


class FulfilmentTaskTemplate(models.Model):
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="task_templates")
    title = models.CharField(max_length=200)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField(
        default=1, help_text="Tasks with the same step run in parallel; steps run in order."
    )

    class Meta:
        ordering = ["step", "id"]

    def __str__(self) -> str:
        return self.title


class Approval(models.Model):
    """One approver's decision on a service request."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals"
    )
    state = models.CharField(
        max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        # Deciding is asked of a named person, often a line manager without a desk role:
        # every role holds it (itsm.accounts.roles); the service also checks the name.
        permissions = [("decide_approval", "Can approve or reject requests asked of them")]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "approver"], name="approval_unique_approver")
        ]

    def __str__(self) -> str:
        return f"{self.approver_id} on {self.ticket_id}: {self.state}"


class FulfilmentTask(NumberedModel, TimeStampedModel, VersionedModel):
    """A piece of work that fulfils a service request, done by one team."""

    NUMBER_PREFIX = "TASK"
    NUMBER_SEQUENCE = "tickets_task_number_seq"

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.WAITING)
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["step", "id"]
        indexes = [models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
