"""The ticket core: incidents, service requests and their conversation; the app's model registry.

Incidents and service requests share one table (`Ticket`, told apart by `kind`): agents work
them from the same queues, they share the life cycle, SLA clocks and indexes, and a million
rows stay one set of indexes instead of two. The API still exposes them as two resources.

The sub-domains keep their models in their own packages (`tickets.catalog`, `tickets.sla`,
`tickets.major`, `tickets.survey`, `tickets.mail`); they are imported here so they belong to
the tickets app (one label, the same tables). They refer to `tickets.Ticket` by name, so
importing them first creates no cycle.
"""

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Q

from itsm.core.models import NumberedModel, TimeStampedModel, VersionedModel
from itsm.core.reversing import reverse
from tickets.canned.models import CannedResponse, CannedResponseScope
from tickets.catalog.models import (
    Approval,
    CatalogCategory,
    CatalogField,
    CatalogItem,
    FulfilmentTask,
    FulfilmentTaskTemplate,
)
from tickets.choices import (
    DEFAULT_QUEUE_COLUMNS,
    OPEN_STATUSES,
    ApprovalState,
    Channel,
    Impact,
    OnHoldReason,
    Priority,
    QueueColumn,
    ResolutionCode,
    TicketKind,
    TicketStatus,
    Urgency,
)
from tickets.mail.models import InboundMessage, Mailbox
from tickets.major.models import (
    MajorIncident,
    MajorIncidentReview,
    MajorIncidentRule,
    MajorIncidentUpdate,
    ReminderFired,
)
from tickets.sla.models import SlaClock, SlaPolicy, SlaThresholdFired
from tickets.survey.models import SatisfactionSurvey

__all__ = [
    "Approval",
    "Attachment",
    "CannedResponse",
    "CannedResponseScope",
    "CatalogCategory",
    "CatalogField",
    "CatalogItem",
    "Category",
    "Comment",
    "DeskPolicy",
    "FulfilmentTask",
    "FulfilmentTaskTemplate",
    "InboundMessage",
    "Mailbox",
    "MajorIncident",
    "MajorIncidentReview",
    "MajorIncidentRule",
    "MajorIncidentUpdate",
    "PriorityRule",
    "ReminderFired",
    "SatisfactionSurvey",
    "SavedFilter",
    "SlaClock",
    "SlaPolicy",
    "SlaThresholdFired",
    "Ticket",
    "TicketArticleLink",
    "TicketAssignment",
    "TimeEntry",
]

NUMBER_SEQUENCES = {
    TicketKind.INCIDENT: ("INC", "tickets_incident_number_seq"),
    TicketKind.REQUEST: ("REQ", "tickets_request_number_seq"),
}


def _next_value(sequence: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        return cursor.fetchone()[0]


# --- Reference data (admin-configured) ---


class Category(models.Model):
    """A ticket category; a category with a parent is a subcategory."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subcategories"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_unique_top"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class PriorityRule(models.Model):
    """One cell of the impact × urgency → priority matrix (ITIL). Defaults from migration."""

    impact = models.PositiveSmallIntegerField(choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique_cell")
        ]

    def __str__(self) -> str:
        return f"impact {self.impact} × urgency {self.urgency} → P{self.priority}"


class DeskPolicy(models.Model):
    """Run-time knobs of the desk that administrators change (a single row)."""

    reopen_window_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="A requester's reply within this many days reopens a resolved ticket; "
        "after it the ticket closes automatically.",
    )

    class Meta:
        verbose_name_plural = "desk policy"

    def __str__(self) -> str:
        return "Desk policy"


# --- Tickets ---


SEARCH_CONFIG = "english"
# What the text search matches, weighted: the subject (A) above the description (B).
SEARCH_VECTOR = SearchVector("short_description", weight="A", config=SEARCH_CONFIG) + SearchVector(
    "description", weight="B", config=SEARCH_CONFIG
)


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self) -> "TicketQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to(self, user: Any) -> "TicketQuerySet":
        """Desk staff see every ticket; a requester sees their own and those they watch."""
        from itsm.accounts.roles import user_is_staff_member

        if not user.is_authenticated:
            return self.none()
        if user_is_staff_member(user):
            return self
        return self.filter(Q(requester=user) | Q(watchers=user)).distinct()


class Ticket(NumberedModel, TimeStampedModel, VersionedModel):
    """An incident (something broke) or a service request (someone needs something).

    Status only changes through `tickets.services.ticket_transition`, which checks the table
    in `tickets.workflow`. `priority` follows impact × urgency unless an agent overrode it with
    a reason (`priority_override_reason`). `reassignment_count` counts moves after the first
    assignment; resolving with it at 0 by the first assignee sets first-contact resolution.
    """

    kind = models.CharField(max_length=10, choices=TicketKind.choices, default=TicketKind.INCIDENT)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    short_description = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    subcategory = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="sub_tickets"
    )
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="configuration item",
    )
    impact = models.PositiveSmallIntegerField(choices=Impact.choices, default=Impact.LOW)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.LOW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P5)
    priority_override_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    on_hold_reason = models.CharField(max_length=30, choices=OnHoldReason.choices, blank=True)
    assignment_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    first_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reassignment_count = models.PositiveIntegerField(default=0)
    resolution_code = models.CharField(max_length=30, choices=ResolutionCode.choices, blank=True)
    resolution_notes = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    is_first_contact_resolution = models.BooleanField(default=False)
    reopen_count = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    is_major = models.BooleanField(default=False)
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_tickets"
    )
    # Service requests only:
    catalog_item = models.ForeignKey(
        "CatalogItem", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    form_data = models.JSONField(default=dict, blank=True)
    approval_state = models.CharField(
        max_length=20, choices=ApprovalState.choices, default=ApprovalState.NOT_REQUIRED
    )
    last_public_activity_at = models.DateTimeField(null=True, blank=True)
    # The earliest due instant of the ticket's running or breached SLA clocks (None when no
    # clock is running or breached), kept by tickets.sla.services as it moves the clocks.
    # Stored so the queue sorts by SLA from an index: a per-ticket subquery over the clocks
    # had to be evaluated for every open ticket before the first row (1 s at 1M tickets).
    sla_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Stored, not an expression index: a search of a common word or a phrase checks the
    # newest tickets one by one, and recomputing two to_tsvector() per row made that cost
    # ~0.1 ms a row; reading the stored vector costs a microsecond (tickets.selectors).
    search = models.GeneratedField(
        expression=SEARCH_VECTOR, output_field=SearchVectorField(), db_persist=True
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("work_ticket", "Can work tickets in the agent workspace"),
            ("raise_ticket", "Can raise tickets in the portal"),
        ]
        indexes = [
            # Queue pages: open tickets by team / assignee / requester, newest first.
            models.Index(
                fields=["assignment_team", "-created_at"],
                name="ticket_open_team",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["assignee", "-created_at"],
                name="ticket_open_assignee",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The queue sorted by SLA: breached first (their due instant has passed), then by
            # time left; tickets no clock counts for (NULL) last.
            models.Index(
                fields=["sla_due_at", "-id"],
                name="ticket_open_sla_due",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The desk home's "my tickets by SLA due".
            models.Index(
                fields=["assignee", "sla_due_at", "-id"],
                name="ticket_open_assignee_sla_due",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The desk home's "requester replied": an agent's open tickets by latest public
            # activity, walked newest first until the panel is full.
            models.Index(
                fields=["assignee", "-last_public_activity_at"],
                name="ticket_open_assignee_activity",
                condition=Q(status__in=OPEN_STATUSES, last_public_activity_at__isnull=False),
            ),
            models.Index(
                fields=["-created_at"],
                name="ticket_open_created",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
            models.Index(
                fields=["resolved_at"],
                name="ticket_resolved_at",
                condition=Q(status=TicketStatus.RESOLVED),
            ),
            # Dashboards: tickets resolved in a date range, whatever happened to them since.
            models.Index(
                fields=["resolved_at"],
                name="ticket_resolved_any",
                condition=Q(resolved_at__isnull=False),
            ),
            # The dashboard rollup's refresh: tickets touched since its last watermark.
            models.Index(fields=["updated_at"], name="ticket_updated"),
            # Text search (tickets.selectors.ticket_list_matching): words and phrases through
            # the weighted vector, number fragments and misspelt subjects through trigrams.
            GinIndex(fields=["search"], name="ticket_search"),
            GinIndex(fields=["number"], name="ticket_number_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(
                fields=["short_description"], name="ticket_subject_trgm", opclasses=["gin_trgm_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=TicketStatus.ON_HOLD) | ~Q(on_hold_reason=""),
                name="ticket_on_hold_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
                | ~Q(resolution_code=""),
                name="ticket_resolved_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.short_description}"

    def assign_number(self) -> None:
        prefix, sequence = NUMBER_SEQUENCES[TicketKind(self.kind)]
        self.number = f"{prefix}{_next_value(sequence):07d}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:desk-ticket-detail", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketAssignment(models.Model):
    """One (re)assignment of a ticket: its history gives the reassignment metric."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey("accounts.Team", null=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.team_id}/{self.assignee_id}"


class Comment(models.Model):
    """A public reply (the requester sees it) or an internal work note (agents only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{'Reply' if self.is_public else 'Work note'} on {self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is ours (random), never the uploader's: no path tricks, no overwrites.
    return f"attachments/{instance.ticket_id}/{instance.stored_name}"


class Attachment(models.Model):
    """A file on a comment. Served only through a view that checks access, as a download."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    stored_name = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The desk's own copies (the raw e-mail a ticket came from): never shown to requesters.
    is_internal = models.BooleanField(default=False)
    # An image pasted or dropped into an editor, not sent yet: only its uploader (and the
    # desk) may open it, and it joins the reply (or the report) that shows it when sent.
    is_pending_inline = models.BooleanField(default=False)

    # Raster images whose type was read from their bytes (check_upload): shown in the
    # conversation as <img> of the download URL (still served as an attachment, nosniff,
    # sandboxed), so screenshots pasted into mail appear where they were sent. Never SVG.
    PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_previewable_image(self) -> bool:
        return self.content_type in self.PREVIEW_TYPES


class SavedFilter(models.Model):
    """A desk queue an agent saved from the filter bar (the query string of the queue page)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


def _default_queue_columns() -> list[str]:
    return [str(column) for column in DEFAULT_QUEUE_COLUMNS]


class QueuePreference(models.Model):
    """How an agent's desk queue looks and opens: the columns shown, whether the extra filters
    are open, and the query string of the last view (the queue opens there next time)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="queue_preference",
    )
    columns = ArrayField(
        models.CharField(max_length=20, choices=QueueColumn.choices),
        default=_default_queue_columns,
    )
    filters_open = models.BooleanField(default=False)
    last_query = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Queue preference of {self.user_id}"


class TicketArticleLink(models.Model):
    """A knowledge article that helped with (or was written from) a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(
        "knowledge.Article", on_delete=models.CASCADE, related_name="ticket_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="ticket_article_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ↔ {self.article_id}"


# The most one entry may hold: a day. Longer work is logged day by day (`worked_on`).
TIME_ENTRY_MAX_MINUTES = 24 * 60


class TimeEntry(models.Model):
    """Minutes an agent worked on a ticket, logged with a reply or work note or on its own.

    `team` is the team the agent worked for, fixed when the entry is logged (the ticket's
    assignment team when the agent is in it, else the agent's first team), so per-team totals
    are one GROUP BY on this table and do not move when someone changes teams later.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.PositiveIntegerField()
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_entries"
    )
    note = models.CharField(max_length=500, blank=True)
    worked_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-worked_on", "-created_at", "-id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=TIME_ENTRY_MAX_MINUTES),
                name="time_entry_minutes_bounded",
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "worked_on"], name="time_entry_ticket_idx"),
            models.Index(fields=["agent", "worked_on"], name="time_entry_agent_idx"),
            models.Index(fields=["team", "worked_on"], name="time_entry_team_idx"),
            models.Index(fields=["worked_on"], name="time_entry_worked_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.ticket_id} by {self.agent_id}"


class TicketSeen(models.Model):
    """When an agent last opened a ticket's page: the desk home's "requester replied since I
    last looked" compares the requester's latest public reply with it. One row per agent and
    ticket, moved forward by `tickets.services.ticket_mark_seen` (an upsert) on each visit.
    A read marker, not a change to the ticket: it is neither versioned nor audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="seen_by")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the look-up index of "when did this agent last see this ticket".
            models.UniqueConstraint(fields=["user", "ticket"], name="ticket_seen_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.ticket_id} at {self.seen_at}"


class Macro(TimeStampedModel, VersionedModel):
    """One click that does what an agent would otherwise do by hand, in order: set the
    category and impact × urgency, assign, send a reply, add a work note, link an article,
    then move the status. Applied (tickets.services.macros) through the same services as the
    ticket page, as the applying agent: a macro can never do what its user could not.

    A macro of a team is managed by the team's lead; a global one (no team) and every other
    by those who may manage macros (service desk managers, administrators). Any desk agent
    may apply any active macro. Moving to resolved takes the reply (or else the note) as the
    resolution notes, cancelling takes it as the reason.
    """

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="The team that owns it (its lead manages it); empty for a global macro.",
    )
    is_active = models.BooleanField(default=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    impact = models.PositiveSmallIntegerField(choices=Impact.choices, null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, null=True, blank=True)
    assignment_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_body = models.TextField("public reply", blank=True)
    note_body = models.TextField("work note", blank=True)
    article = models.ForeignKey(
        "knowledge.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_status = models.CharField(
        "new status", max_length=20, choices=TicketStatus.choices, blank=True
    )
    on_hold_reason = models.CharField(max_length=30, choices=OnHoldReason.choices, blank=True)
    resolution_code = models.CharField(max_length=30, choices=ResolutionCode.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        permissions = [("manage_macro", "Can manage every macro, global or of any team")]

    def __str__(self) -> str:
        return self.name
