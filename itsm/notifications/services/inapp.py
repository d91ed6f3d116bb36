"""The desk's notification centre: in-app lines written by the outbox beside the e-mails of
the same event, each person's per-event choice of in-app and e-mail, and marking read."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from itsm.accounts.models import User
from itsm.notifications.choices import DeskEvent
from itsm.notifications.models import InAppNotification, NotificationPreference

DESK_EVENTS = frozenset(DeskEvent.values)


@dataclass(frozen=True)
class DeskFanOut:
    """What one occurrence of a desk event does: the in-app rows it wrote, and the people
    who chose to get no e-mail for it."""

    written: int
    no_email: frozenset[int]


def desk_choice(prefs: Mapping[str, Any] | None, event: str, channel: str) -> bool:
    """Whether a person's `desk_events` choices want `event` on `channel` ("in_app" or
    "email"); an event they never chose for is on."""
    choice = (prefs or {}).get(event) or {}
    return bool(choice.get(channel, True))


def _path_of(url: str) -> str:
    """The bell links within the site it is shown on: the e-mail's absolute address
    (settings.SITE_URL) becomes a path."""
    site = settings.SITE_URL.rstrip("/")
    return url[len(site) :] or "/" if site and url.startswith(site + "/") else url


def _desk_people(ids: set[int]) -> dict[int, dict[str, Any]]:
    """Desk staff among `ids` with their choices, in one query (requesters have no bell)."""
    from itsm.accounts.roles import STAFF_ROLES

    if not ids:
        return {}
    rows = (
        User.objects.filter(pk__in=ids, is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=list(STAFF_ROLES)))
        .values_list("pk", "notification_preference__desk_events")
        .distinct()
    )
    return {pk: prefs or {} for pk, prefs in rows}


def desk_events_fan_out(
    *, items: Sequence[tuple[str, Iterable[Any], Mapping[str, Any], str]]
) -> list[DeskFanOut]:
    """Write the in-app lines of desk events, given as (event, recipients, context, label),
    and say per item who refused its e-mail. Two queries whatever the number of items (the
    staff and their choices, then one INSERT); called by `notification_create(_many)` inside
    the caller's transaction, so a rolled-back change leaves no line either."""
    items = [(e, list(r), c, label) for e, r, c, label in items if e in DESK_EVENTS]
    ids = {getattr(user, "pk", None) for _, people, _, _ in items for user in people}
    ids.discard(None)
    desk = _desk_people({int(pk) for pk in ids if pk is not None})
    now = timezone.now()
    rows: list[InAppNotification] = []
    results = []
    for event, people, context, label in items:
        written = 0
        no_email = set()
        for pk in dict.fromkeys(user.pk for user in people if user is not None):
            if pk not in desk:
                continue
            if not desk_choice(desk[pk], event, "email"):
                no_email.add(pk)
            if desk_choice(desk[pk], event, "in_app"):
                written += 1
                rows.append(
                    InAppNotification(
                        recipient_id=pk,
                        event=event,
                        title=str(context.get("title", ""))[:255],
                        message=str(context.get("message", ""))[:2000],
                        url=_path_of(str(context.get("url", "")))[:500],
                        record_label=label[:100],
                        created_at=now,
                    )
                )
        results.append(DeskFanOut(written, frozenset(no_email)))
    if rows:
        InAppNotification.objects.bulk_create(rows)
    return results


def inapp_mark_read(*, user: User, notification_id: int) -> int:
    """Mark one of `user`'s lines read; 0 when it is not theirs or was read already (the
    caller answers 404 for someone else's)."""
    return InAppNotification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def inapp_mark_all_read(*, user: User) -> int:
    """Mark every unread line of `user` read (through the unread index); returns how many."""
    return InAppNotification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


PRUNE_BATCH = 10_000


def inapp_prune(*, older_than_days: int) -> int:
    """Delete notification-centre lines older than `older_than_days`, read or not (the
    e-mail of the same event and the record's history keep what happened); returns how many.
    In batches, so a first run over years of lines never holds one long lock."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        batch = list(
            InAppNotification.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :PRUNE_BATCH
            ]
        )
        if not batch:
            return deleted
        deleted += InAppNotification.objects.filter(pk__in=batch).delete()[0]


@transaction.atomic
def notification_desk_events_update(
    *, user: User, choices: Mapping[str, Mapping[str, bool]]
) -> NotificationPreference:
    """Record a person's in-app and e-mail choice per desk event (unknown events ignored)."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.desk_events = {
        event: {"in_app": bool(c.get("in_app", True)), "email": bool(c.get("email", True))}
        for event, c in choices.items()
        if event in DESK_EVENTS
    }
    preference.save(update_fields=["desk_events"])
    return preference
