"""The wire protocol between a laptop and the office server (JSON over HTTP under /api/v1).

Both sides import these models: the server validates requests with them, the client builds and reads them.

    POST /api/v1/enroll                    EnrollRequest → EnrollResponse   (no token: the one-time code)
    POST /api/v1/sync                      SyncRequest → SyncResponse       (numbers, a push and a pull in one)
    POST /api/v1/push                      PushRequest → PushResponse       (idempotent by batch_id)
    POST /api/v1/blobs/missing             BlobList → BlobList              (which of these the office lacks)
    GET  /api/v1/blobs/{sha256}/offset     → UploadOffset                   (resume point of an upload)
    PUT  /api/v1/blobs/pack                manifest line + raw bytes → PackReceipt (many blobs, one request)
    PUT  /api/v1/blobs/{sha256}?offset=N   raw bytes → UploadOffset         (a chunk at N; N must equal the offset)
    POST /api/v1/blobs/{sha256}/complete   → UploadOffset(complete=True)    (hash checked, else 409, discarded)
    GET  /api/v1/blobs/{sha256}            → raw bytes
    GET  /api/v1/pull?cursor=N&limit=L     → PullResponse                   (changes after N the caller may see)
    GET  /api/v1/numbers?year=Y            → NumberBlocks                   (this laptop's number blocks, topped up)
    GET  /api/v1/audit                     → AuditState                     (where the office's copy of its chain ends)
    POST /api/v1/audit                     AuditPush → AuditPushResponse    (the next events; idempotent by event id)

Every request but enroll carries `Authorization: Bearer <device token>`. Errors are `ErrorBody` with an HTTP
status: 401 (no, unknown or revoked token), 403 (another jurisdiction's data), 404, 409 (offset or hash
mismatch, blob missing; audit_chain_broken: the events do not continue the chain the office holds), 422 (a
malformed request).
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
MAX_CURSOR = (1 << 63) - 1  # seqs are 64-bit in both databases: a larger cursor is a malformed request
# A request body the office reads at most (413 above): a push of MAX_BATCH records is a few MB at worst.
MAX_BODY_BYTES = 32 << 20
MAX_AUDIT_BATCH = 500
# A blob pack: at most this many blobs, each sent whole (larger blobs go by offset, in requests of their own).
MAX_PACK_BLOBS = 256
MAX_PACK_MANIFEST = 64 << 10  # bytes of the manifest line
# An event's hashes: hex SHA-256, or "" (an event never chained: the office records that as a break, not a 422).
CHAIN_HASH = r"^([0-9a-f]{64})?$"


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


class SyncRequest(BaseModel):
    """A sync's usual work in one round trip, done in this order, each part in its own transaction as its own
    request would be: the case-number blocks (GET /numbers), a batch of changes (POST /push), then the first
    page of changes after `cursor` (GET /pull), which so includes the batch just applied."""

    year: int | None = Field(default=None, ge=2000, le=2100)  # of the number blocks; default: this year
    exhausted: bool = False  # the device's blocks are used up: reserve another
    push: PushRequest | None = None
    cursor: int = Field(default=0, ge=0, le=MAX_CURSOR)
    limit: int = Field(default=MAX_PULL, ge=1, le=MAX_PULL)


class PackEntry(BaseModel):
    sha256: str = Field(pattern=SHA256.pattern)
    size: int = Field(ge=0, le=1 << 50)


class PackManifest(BaseModel):
    """The first line of a pack (JSON, then "\n"); the blobs' bytes follow, whole and in this order."""

    blobs: list[PackEntry] = Field(min_length=1, max_length=MAX_PACK_BLOBS)

    @field_validator("blobs")
    @classmethod
    def _distinct(cls, value: list[PackEntry]) -> list[PackEntry]:
        if len({e.sha256 for e in value}) != len(value):
            raise ValueError("a blob is listed twice")
        return value


class PackOutcome(BaseModel):
    sha256: str
    # stored: kept now; present: the office had it (its bytes were skipped); incomplete: the bytes ended early
    # (what arrived is kept, resume at `offset`); hash_mismatch: discarded; busy: another upload of it is under
    # way (resume later). The last three are sent again by offset.
    status: Literal["stored", "present", "incomplete", "hash_mismatch", "busy"]
    offset: int = 0


class PackReceipt(BaseModel):
    blobs: list[PackOutcome]  # in the manifest's order, up to where the bytes ended


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


class SyncResponse(BaseModel):
    numbers: NumberBlocks
    push: PushResponse | None  # None when the request carried no batch
    pull: PullResponse


class AuditEventBody(BaseModel):
    """One event of a laptop's hash-chained audit log, as the laptop hashed it (inspector.store.audit.event_hash).

    `at` is the exact text the hash covers (not re-parsed, so that the office recomputes the same hash)."""

    seq: int = Field(ge=1)  # its position in the laptop's log: events go up in this order
    id: str = Field(min_length=1, max_length=36)
    at: str = Field(min_length=1, max_length=40)
    device_id: str = Field(min_length=1, max_length=36)  # the laptop's own device id: whose chain this is
    actor: str = Field(max_length=100)
    action: str = Field(min_length=1, max_length=32)
    table_name: str = Field(max_length=64)
    record_id: str = Field(max_length=36)
    old_values: dict[str, Any] | None = None
    new_values: dict[str, Any] | None = None
    record_sha256: str = Field(max_length=64)
    prev_hash: str = Field(pattern=CHAIN_HASH)
    hash: str = Field(pattern=CHAIN_HASH)

    @field_validator("at")
    @classmethod
    def _iso(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from exc
        return value


class AuditPush(BaseModel):
    """The next events of the sending laptop's chain, oldest first; events the office holds already are skipped."""

    events: list[AuditEventBody] = Field(min_length=1, max_length=MAX_AUDIT_BATCH)


class AuditState(BaseModel):
    """Where the office's copy of this device's chain ends: the laptop sends the events after `last_seq`."""

    position: int  # how many events of this device the office holds
    last_seq: int  # the laptop's seq of the newest of them (0: none yet)
    last_hash: str  # its hash (64 zeros: none yet, the chain's start)


class AuditPushResponse(AuditState):
    status: Literal["received", "already_received"]
    received: int  # events newly kept


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
