"""Optimistic locking for VersionedModel records."""

from django.db import models

from itsm.core.exceptions import StaleVersion


def lock_for_update[M: models.Model](
    queryset: models.QuerySet[M], *, pk: int, expected_version: int | None
) -> M:
    """Lock the row and refuse the write when the caller's version is stale.

    `select_for_update` serialises concurrent writers; comparing versions under the lock is
    what turns the loser into a 409 instead of a silent overwrite.
    """
    record = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and record.version != expected_version:
        raise StaleVersion(
            f"{record} was changed by someone else since you opened it (you had version "
            f"{expected_version}, it is now {record.version}). Check what changed, then send "
            "again.",
            current_version=record.version,
            record=record,
            expected_version=expected_version,
        )
    return record
