"""Every write to incidents and service requests: one function per use case.

Each service runs in a transaction, locks the ticket it changes and checks the caller's
`expected_version` (a stale one raises StaleVersion → 409 / "someone else changed this"),
bumps `version`, writes audit events whose `changes` include the version step, and writes
notifications through the outbox. One module per concept: `lifecycle` (a ticket's own life),
`relations` (parents, duplicates, followers, linked articles) and `queue` (bulk actions and
saved filters), `preferences` (an agent's queue settings), `time` (time worked) and `macros`.
Callers import from here.
"""

from tickets.services.inline import attachment_upload_inline, inline_images_claim
from tickets.services.lifecycle import (
    AUTO_CLOSE_BATCH,
    EDITABLE_FIELDS,
    comment_add,
    desk_policy,
    priority_for,
    ticket_assign,
    ticket_attach_source_message,
    ticket_create,
    ticket_reply_and_set,
    ticket_set_priority,
    ticket_transition,
    ticket_update,
    tickets_auto_close,
)
from tickets.services.macros import (
    MACRO_FIELDS,
    MacroStepRefused,
    macro_apply,
    macro_choices,
    macro_create,
    macro_delete,
    macro_may_manage,
    macro_steps,
    macro_update,
)
from tickets.services.preferences import (
    queue_columns_clean,
    queue_preference_remember_view,
    queue_preference_update,
)
from tickets.services.queue import (
    BULK_MAX_TICKETS,
    BulkLine,
    BulkParams,
    BulkTarget,
    saved_filter_save,
    tickets_bulk_apply,
)
from tickets.services.relations import (
    article_draft_from_ticket,
    ticket_link_article,
    ticket_link_parent,
    ticket_mark_duplicate,
    ticket_unlink_article,
    ticket_unwatch,
    ticket_watch,
)
from tickets.services.seen import ticket_mark_seen
from tickets.services.time import (
    ticket_reply_with_time,
    time_entry_correct,
    time_entry_delete,
    time_entry_log,
)

__all__ = [
    "AUTO_CLOSE_BATCH",
    "BULK_MAX_TICKETS",
    "EDITABLE_FIELDS",
    "MACRO_FIELDS",
    "BulkLine",
    "BulkParams",
    "BulkTarget",
    "MacroStepRefused",
    "article_draft_from_ticket",
    "attachment_upload_inline",
    "comment_add",
    "desk_policy",
    "inline_images_claim",
    "macro_apply",
    "macro_choices",
    "macro_create",
    "macro_delete",
    "macro_may_manage",
    "macro_steps",
    "macro_update",
    "priority_for",
    "queue_columns_clean",
    "queue_preference_remember_view",
    "queue_preference_update",
    "saved_filter_save",
    "ticket_assign",
    "ticket_attach_source_message",
    "ticket_create",
    "ticket_link_article",
    "ticket_link_parent",
    "ticket_mark_duplicate",
    "ticket_mark_seen",
    "ticket_reply_and_set",
    "ticket_reply_with_time",
    "ticket_set_priority",
    "ticket_transition",
    "ticket_unlink_article",
    "ticket_unwatch",
    "ticket_update",
    "ticket_watch",
    "tickets_auto_close",
    "tickets_bulk_apply",
    "time_entry_correct",
    "time_entry_delete",
    "time_entry_log",
]
