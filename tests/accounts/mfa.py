"""RFC 6238 TOTP computed by the tests themselves (not with the code under test)."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, at: float | None = None, *, period: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for a base32 `secret` at time `at`."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)
