"""The wire protocol between a laptop and the office server (JSON over HTTP under /api/v1).

Both sides import these models: the server validates requests with them, the client builds and reads them.

    POST /api/v1/enroll                    EnrollRequest → EnrollResponse   (no token: the one-time code)
    POST /api/v1/push                      PushRequest → PushResponse       (idempotent by batch_id)
    POST /api/v1/blobs/missing             BlobList → BlobList              (which of these the office lacks)
    GET  /api/v1/blobs/{sha256}/offset     → UploadOffset                   (resume point of an upload)
    PUT  /api/v1/blobs/{sha256}?offset=N   raw bytes → UploadOffset         (a chunk at N; N must equal the offset)
    POST /api/v1/blobs/{sha256}/complete   → UploadOffset(complete=True)    (hash checked, else 409, discarded)
    GET  /api/v1/blobs/{sha256}            → raw bytes
    GET  /api/v1/pull?cursor=N&limit=L     → PullResponse                   (changes after N the caller may see)
    GET  /api/v1/numbers?year=Y            → NumberBlocks                   (this laptop's number blocks, topped up)

Every request but enroll carries `Authorization: Bearer <device token>`. Errors are `ErrorBody` with an HTTP
status: 401 (no, unknown or revoked token), 403 (another jurisdiction's data), 404, 409 (offset or hash
mismatch, blob missing), 422 (a malformed request).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

API = "/api/v1"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
GLOBAL_SCOPE = "*"  # records every jurisdiction sees: checklists, question banks
MAX_BATCH = 500
MAX_PULL = 1000


class ErrorBody(BaseModel):
    code: str
    message: str  # English, for logs
    message_zh: str = ""  # for the user


class EnrollRequest(BaseModel):
    code: str = Field(min_length=6, max_length=64)
    device_name: str = Field(min_length=1, max_length=100)
    # The token the laptop chose and saved before asking: if the answer is lost, asking again with the same
    # code and token gets the same device instead of "code already used".
    token: str | None = Field(default=None, min_length=32, max_length=128)


class EnrollResponse(BaseModel):
    device_id: str
    token: str
    county_code: str
    role: Literal["inspector", "supervisor"]
    user_name: str


class RecordChange(BaseModel):
    """One record as it is now on the device that sends it (or its deletion)."""

    table: str = Field(max_length=64)
    id: str = Field(min_length=1, max_length=36)
    op: Literal["upsert", "delete"]
    version: int = Field(ge=0)
    updated_at: datetime | None = None
    origin_device: str = ""
    data: dict[str, Any] | None = None  # every column of the row, JSON-ready; None for a delete
    # Push only: the columns this device changed since the office last acknowledged the record, each as
    # [clock stamp] or [clock stamp, value before the change]; {"*": [stamp, None]} for a record made here.
    # None (an older laptop): every column, stamped with updated_at. The office merges column by column.
    fields: dict[str, list[Any]] | None = None

    @field_validator("fields")
    @classmethod
    def _stamped(cls, value: dict[str, list[Any]] | None) -> dict[str, list[Any]] | None:
        for name, change in (value or {}).items():
            if not change or len(change) > 2 or not isinstance(change[0], str) or len(change[0]) > 100:
                raise ValueError(f"field {name!r}: expected [stamp] or [stamp, value before]")
        return value


class PushRequest(BaseModel):
    batch_id: str = Field(min_length=1, max_length=100)  # idempotency key: the same id is applied once
    changes: list[RecordChange] = Field(max_length=MAX_BATCH)


class PushResponse(BaseModel):
    batch_id: str
    status: Literal["applied", "already_applied"]
    applied: int
    cursor: int  # the office's change sequence after this batch


class BlobList(BaseModel):
    hashes: list[str] = Field(max_length=5000)

    @field_validator("hashes")
    @classmethod
    def _hex(cls, value: list[str]) -> list[str]:
        for h in value:
            if not SHA256.match(h):
                raise ValueError(f"{h!r} is not a SHA-256 hex digest")
        return value


class UploadOffset(BaseModel):
    sha256: str
    offset: int
    complete: bool = False


class PullResponse(BaseModel):
    changes: list[RecordChange]
    cursor: int  # pass it back as ?cursor= for the next page
    more: bool
    stamp: str = ""  # the newest field clock stamp in the page: the laptop's clock moves past it


class NumberBlockInfo(BaseModel):
    agency_short_name: str
    year: int
    first_number: int
    last_number: int


class NumberBlocks(BaseModel):
    blocks: list[NumberBlockInfo]


# Which record a row's jurisdiction (county code) comes from: the county is read from the row itself for the
# first kind, from a parent row for the others. The office uses it to refuse another county's data.
OWN_COUNTY: dict[str, str] = {
    "enterprise": "county_code",
    "inspector": "county_code",
    "syncconflict": "county_code",
    "annualplan": "county_code",
    "complaint": "county_code",
}
PARENT_OF: dict[str, tuple[str, str]] = {
    # table: (column holding the parent's id, parent table)
    "inspectiontask": ("enterprise_id", "enterprise"),
    "taskinspector": ("task_id", "inspectiontask"),
    "inspection": ("enterprise_id", "enterprise"),
    "inspectioninspector": ("inspection_id", "inspection"),
    "itemresult": ("inspection_id", "inspection"),
    "finding": ("enterprise_id", "enterprise"),
    "evidence": ("inspection_id", "inspection"),
    "evidencelink": ("evidence_id", "evidence"),
    "quizsession": ("enterprise_id", "enterprise"),
    "quizanswer": ("session_id", "quizsession"),
    "document": ("enterprise_id", "enterprise"),
    "signature": ("document_id", "document"),
    "planentry": ("plan_id", "annualplan"),
}
GLOBAL_TABLES = frozenset({"checklisttemplate", "checklistitem", "questionbank", "question"})
# Kept by each laptop for itself: never pulled by another device (a laptop's numbers are its own).
DEVICE_TABLES = frozenset({"numberblock", "voidnumber", "randomdraw"})
# Written by the office only (a laptop sending one is refused) and pulled by supervisors only.
OFFICE_TABLES = frozenset({"syncconflict"})
# The supervisor desk's: written and pulled by supervisors only (a reporter's name never reaches a laptop).
SUPERVISOR_TABLES = frozenset({"annualplan", "planentry", "complaint"})
# Rows that reference blobs: (table, column with the SHA-256). Blobs go up before the rows.
BLOB_COLUMNS: tuple[tuple[str, str], ...] = (
    ("evidence", "sha256"),
    ("signature", "image_sha256"),
    ("document", "pdf_sha256"),
)
