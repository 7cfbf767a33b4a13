"""Hybrid logical clock: stamps that order field changes across laptops whose clocks disagree.

A stamp is `"{milliseconds:015d}.{counter:05d}.{device}"`, so plain string comparison orders stamps. Each new
stamp is later than every stamp this process made or saw (`observe` on pull), even when the laptop's clock is
behind the office's or steps back; the counter counts changes within one millisecond, and the device id breaks
the last tie so that two laptops never make equal stamps.
"""

from __future__ import annotations

import threading
import time

_COUNTER_LIMIT = 100_000


class _Clock:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms = 0
        self.counter = 0


_clock = _Clock()


def format_stamp(ms: int, counter: int, device: str) -> str:
    return f"{ms:015d}.{counter:05d}.{device}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    """(milliseconds, counter, device); raises ValueError for a malformed stamp."""
    ms, counter, device = stamp.split(".", 2)
    if len(ms) != 15 or len(counter) != 5 or not ms.isdigit() or not counter.isdigit():
        raise ValueError(f"{stamp!r} is not a clock stamp")
    return int(ms), int(counter), device


def device_of(stamp: str) -> str:
    try:
        return parse_stamp(stamp)[2]
    except ValueError:
        return ""


def stamp_for(ms: int, device: str) -> str:
    """The stamp of a change known only by its wall-clock time (a row pushed without field stamps)."""
    return format_stamp(ms, 0, device)


def now(device: str) -> str:
    """A stamp later than any this process has made or observed."""
    with _clock.lock:
        wall = time.time_ns() // 1_000_000
        if wall > _clock.ms:
            _clock.ms, _clock.counter = wall, 0
        else:
            _clock.counter += 1
            if _clock.counter >= _COUNTER_LIMIT:  # a hundred thousand in one millisecond: borrow the next
                _clock.ms, _clock.counter = _clock.ms + 1, 0
        return format_stamp(_clock.ms, _clock.counter, device)


def observe(stamp: str) -> None:
    """Move the clock past a stamp received from elsewhere, so the next local change orders after it."""
    try:
        ms, counter, _device = parse_stamp(stamp)
    except ValueError:
        return
    with _clock.lock:
        _clock.ms, _clock.counter = max((_clock.ms, _clock.counter), (ms, counter))
