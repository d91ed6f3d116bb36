"""Identifiers generated in Python."""

import os
import time
import uuid


def time_ordered_uuid() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds, then random bits.

    Unique like uuid4, but ids made one after another sort together, so a btree over them
    grows at its right edge instead of touching a random leaf page on every insert (the
    outbox writes thousands a minute into an index that keeps growing).
    """
    millis = time.time_ns() // 1_000_000
    value = (millis & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10)) & (2**80 - 1)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 9562 variant
    return uuid.UUID(int=value)
