"""UUIDv7 keys: RFC 9562 layout, time-ordered, unique, monotonic even when the clock stalls or steps back."""

from __future__ import annotations

import itertools
import time
import uuid
from types import SimpleNamespace

import pytest

from inspector.store import ids
from inspector.store.ids import uuid7, uuid7_time_ms

FIXED_MS = 1_700_000_000_000  # 2023-11-14, well before any real id made in this process


def test_layout_is_rfc_9562_version_7() -> None:
    value = uuid7()
    parsed = uuid.UUID(value)
    assert str(parsed) == value  # canonical, lower-case, 36 characters
    assert len(value) == 36
    assert parsed.version == 7
    assert value[14] == "7"
    assert parsed.variant == uuid.RFC_4122
    assert (parsed.int >> 62) & 0b11 == 0b10
    assert value[19] in "89ab"


def test_ten_thousand_ids_are_unique_and_strictly_increasing() -> None:
    values = [uuid7() for _ in range(10_000)]
    assert len(set(values)) == len(values)
    assert all(a < b for a, b in itertools.pairwise(values))
    assert all(uuid.UUID(v).version == 7 for v in values)
    times = [uuid7_time_ms(v) for v in values]
    assert times == sorted(times)


def test_time_is_now_in_milliseconds() -> None:
    before = time.time() * 1000
    value = uuid7()
    after = time.time() * 1000
    assert abs(uuid7_time_ms(value) - before) < 1000
    assert before - 1 <= uuid7_time_ms(value) <= after + 1


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Drive uuid7's clock by hand; the generator's state is restored afterwards."""
    now_ms = [FIXED_MS]
    monkeypatch.setattr(ids, "_last_ms", 0)
    monkeypatch.setattr(ids, "_last_rand", 0)
    monkeypatch.setattr(ids, "time", SimpleNamespace(time_ns=lambda: now_ms[0] * 1_000_000))
    return now_ms


def test_same_millisecond_ids_stay_ordered(fake_clock: list[int]) -> None:
    values = [uuid7() for _ in range(1000)]
    assert all(uuid7_time_ms(v) == FIXED_MS for v in values)
    assert values == sorted(values)
    assert len(set(values)) == 1000


def test_clock_stepping_back_keeps_order(fake_clock: list[int]) -> None:
    first = uuid7()
    fake_clock[0] = FIXED_MS - 5_000  # NTP steps the clock back five seconds
    second = uuid7()
    assert second > first
    assert uuid7_time_ms(second) == FIXED_MS
    fake_clock[0] = FIXED_MS + 1
    third = uuid7()
    assert third > second
    assert uuid7_time_ms(third) == FIXED_MS + 1


def test_counter_overflow_within_a_millisecond_keeps_order(
    fake_clock: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ids, "os", SimpleNamespace(urandom=lambda n: b"\xff" * n))
    first = uuid7()  # random bits all ones: the counter starts at its maximum
    second = uuid7()  # same millisecond
    assert uuid.UUID(second).version == 7
    assert second > first
