"""Time-ordered UUIDv7 keys (RFC 9562) made on the device, so laptops create records offline without collisions."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def uuid7() -> str:
    """A UUIDv7 string; monotonic within this process even when several are made in one millisecond."""
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same (or earlier, clock stepped back) millisecond: keep order by counting up the random bits,
            # borrowing the next millisecond if they run out.
            ms = _last_ms
            rand = _last_rand + 1
            if rand >= 1 << 74:
                ms += 1
                rand = int.from_bytes(os.urandom(10), "big") >> 7  # leave room to count up again
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 6  # 74 random bits
        _last_ms, _last_rand = ms, rand
    rand_a = (rand >> 62) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def uuid7_time_ms(value: str) -> int:
    """The Unix time in milliseconds encoded in a UUIDv7."""
    return uuid.UUID(value).int >> 80


_SHIPPED = uuid.UUID("5d1f9b4e-2c1a-4f0e-9a57-6b3f2d8c1e70")


def stable_id(*parts: str | int) -> str:
    """The same id on every laptop for the same shipped content (a checklist item, a question of a bank).

    Records that refer to shipped content (an item's result, a quiz answer) then mean the same thing on every
    laptop and at the office, although each laptop installs that content itself."""
    return str(uuid.uuid5(_SHIPPED, "|".join(str(p) for p in parts)))
