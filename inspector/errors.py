"""Errors the user is meant to see: each carries a stable code, an English text (CLI, logs) and a Chinese one (UI)."""

from __future__ import annotations


class InspectorError(Exception):
    """A known failure caused by input or environment (bad file, newer database, disk full), not a bug."""

    code: str = "error"

    def __init__(self, message_en: str, message_zh: str, *, code: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message_en


class ValidationError(InspectorError):
    """A value typed or imported by a user breaks a rule (check digit, required field, range)."""

    code = "invalid"


class TransitionError(InspectorError):
    """A status change that the workflow does not allow (e.g. closing a 重大事故隐患 without 复查)."""

    code = "transition"


class StoreError(InspectorError):
    """The data folder cannot be used as it is (corrupt file, newer schema, read-only folder)."""

    code = "store"
