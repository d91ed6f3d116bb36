"""Time-ordered UUIDs for ids written in bulk (the outbox's event ids)."""

from datetime import UTC, datetime, timedelta

import time_machine

from itsm.core.ids import time_ordered_uuid

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_ids_are_version_7_with_the_rfc_variant():
    ids = [time_ordered_uuid() for _ in range(1000)]
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {"specified in RFC 4122"}
    assert len(set(ids)) == 1000


def test_ids_made_later_sort_later_and_carry_their_millisecond():
    with time_machine.travel(T0, tick=False):
        first = time_ordered_uuid()
    with time_machine.travel(T0 + timedelta(milliseconds=1), tick=False):
        second = time_ordered_uuid()
    assert first < second
    assert first.int >> 80 == int(T0.timestamp() * 1000)
    assert second.int >> 80 == int(T0.timestamp() * 1000) + 1
