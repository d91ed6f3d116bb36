"""Choices of the ticket core, with the badge colour each one shows as."""

from django.db import models


class TicketKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REQUEST = "request", "Service request"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD)


class OnHoldReason(models.TextChoices):
    AWAITING_REQUESTER = "awaiting_requester", "Awaiting requester"
    AWAITING_VENDOR = "awaiting_vendor", "Awaiting vendor"
    AWAITING_CHANGE = "awaiting_change", "Awaiting change"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"


class ReplyAndSet(models.TextChoices):
    """What a desk reply can set in the same step ("Reply and set …")."""

    AWAITING_REQUESTER = "awaiting_requester", "Awaiting requester"
    RESOLVED = "resolved", "Resolved"


class Impact(models.IntegerChoices):
    HIGH = 1, "1 – High (many people or a critical service)"
    MEDIUM = 2, "2 – Medium (a team or department)"
    LOW = 3, "3 – Low (one person)"


class Urgency(models.IntegerChoices):
    HIGH = 1, "1 – High (work has stopped)"
    MEDIUM = 2, "2 – Medium (work is impaired)"
    LOW = 3, "3 – Low (inconvenient)"


class Priority(models.IntegerChoices):
    P1 = 1, "P1 – Critical"
    P2 = 2, "P2 – High"
    P3 = 3, "P3 – Moderate"
    P4 = 4, "P4 – Low"
    P5 = 5, "P5 – Planning"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    API = "api", "API"


class ResolutionCode(models.TextChoices):
    SOLVED = "solved", "Solved (permanently)"
    WORKAROUND = "workaround", "Solved (workaround)"
    NOT_REPRODUCIBLE = "not_reproducible", "Not reproducible"
    FULFILLED = "fulfilled", "Request fulfilled"
    DUPLICATE = "duplicate", "Duplicate"
    USER_ERROR = "user_error", "User instructed"
    REJECTED = "rejected", "Rejected"


class ApprovalState(models.TextChoices):
    NOT_REQUIRED = "not_required", "Not required"
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ApprovalMode(models.TextChoices):
    ALL = "all", "All approvers must approve"
    ANY = "any", "Any one approver is enough"


class TaskStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for earlier tasks"
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CatalogFieldType(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    DATE = "date", "Date"
    NUMBER = "number", "Number"
    USER = "user", "Person"
    CI = "ci", "Configuration item"


STATUS_BADGE: dict[str, str] = {
    TicketStatus.NEW: "info",
    TicketStatus.IN_PROGRESS: "success",
    TicketStatus.ON_HOLD: "warning",
    TicketStatus.RESOLVED: "neutral",
    TicketStatus.CLOSED: "neutral",
    TicketStatus.CANCELLED: "neutral",
}
PRIORITY_BADGE: dict[int, str] = {
    Priority.P1: "danger",
    Priority.P2: "warning",
    Priority.P3: "info",
    Priority.P4: "neutral",
    Priority.P5: "neutral",
}

# ITIL 3×3 default: (impact, urgency) → priority. PriorityRule rows override it per cell.
DEFAULT_PRIORITY_MATRIX = {
    (1, 1): 1,
    (1, 2): 2,
    (1, 3): 3,
    (2, 1): 2,
    (2, 2): 3,
    (2, 3): 4,
    (3, 1): 3,
    (3, 2): 4,
    (3, 3): 5,
}


class BulkAction(models.TextChoices):
    """What the desk can do to a selection of tickets at once (tickets.services.queue)."""

    ASSIGN = "assign", "Assign"
    STATUS = "status", "Change status"
    PRIORITY = "priority", "Set priority"
    REPLY = "reply", "Add a public reply"
    NOTE = "note", "Add a work note"
    MERGE = "merge", "Merge into one ticket"
    MACRO = "macro", "Apply a macro"


class QueueColumn(models.TextChoices):
    """The columns an agent may show in the desk queue (their choice is a QueuePreference)."""

    NUMBER = "number", "Number"
    PRIORITY = "priority", "Priority"
    SHORT_DESCRIPTION = "short_description", "Short description"
    STATUS = "status", "Status"
    SLA = "sla", "SLA"
    REQUESTER = "requester", "Requester"
    TEAM = "team", "Team / agent"
    SERVICE = "service", "Service"
    CATEGORY = "category", "Category"
    UPDATED = "updated", "Updated"
    OPENED = "opened", "Opened"
    CHANNEL = "channel", "Channel"


# What a new agent sees: the columns that fit a laptop screen on one line each.
DEFAULT_QUEUE_COLUMNS = [
    QueueColumn.NUMBER,
    QueueColumn.PRIORITY,
    QueueColumn.SHORT_DESCRIPTION,
    QueueColumn.STATUS,
    QueueColumn.SLA,
    QueueColumn.REQUESTER,
    QueueColumn.TEAM,
    QueueColumn.UPDATED,
]
