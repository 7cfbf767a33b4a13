"""The laptop's side of sync: enrol once, then push the outbox (blobs first), then pull what the office sends.

Nothing is lost or doubled whatever the network does:
- a push batch has an idempotency key made from the outbox entries it carries, and the entries are deleted
  only after the office acknowledged them; a batch sent twice is applied once;
- a blob is uploaded in chunks from the offset the office reports, and the office checks its SHA-256;
- a pulled page's blobs are fetched first, then the page is applied in one local transaction together with the
  new cursor; a child whose parent has not arrived yet keeps the cursor behind it, so a crash or a cut re-pulls
  it;
- the audit log's new events go up last, oldest first; the office skips those it holds, so a batch sent twice
  is kept once, and a cursor kept here (or asked of the office) says where to go on.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import secrets
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from inspector import clock
from inspector.domain.enums import OutboxOp
from inspector.errors import InspectorError
from inspector.store import hlc
from inspector.store.db import NEW_RECORD, Store
from inspector.store.models import SYNCED_TABLES, AuditEvent, NumberBlock, OutboxEntry, SyncedRecord, SyncState
from inspector.store.settings import get_setting, set_setting
from inspector.sync.protocol import (
    API,
    BLOB_COLUMNS,
    GLOBAL_TABLES,
    MAX_AUDIT_BATCH,
    MAX_BATCH,
    MAX_BODY_BYTES,
    MAX_PACK_BLOBS,
    PARENT_OF,
    AuditEventBody,
    AuditPush,
    AuditPushResponse,
    AuditState,
    BlobList,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    NumberBlocks,
    PackEntry,
    PackManifest,
    PackReceipt,
    PullResponse,
    PushRequest,
    RecordChange,
    SyncRequest,
    SyncResponse,
    UploadOffset,
)

log = logging.getLogger(__name__)

SYNC_KEY = "sync.office"  # {"url", "token", "device_id", "county_code", "role", "user_name"}
PENDING_ENROLL_KEY = "sync.enrolling"  # {"url", "code", "token"} while an enrolment awaits its answer
# {"device_id": the office's id of this laptop, "seq", "hash": the newest audit event the office holds}
AUDIT_CURSOR_KEY = "sync.audit"
AUDIT_BATCH = MAX_AUDIT_BATCH
AUDIT_BROKEN = "audit_chain_broken"  # the office's answer to events that do not continue the chain it holds
CHUNK = 64 << 20  # the most one upload request carries; a cut request keeps what arrived, so resuming loses little
PACK_BYTES = 256 << 20  # the most one pack of whole blobs (each ≤ CHUNK) carries
READ_PIECE = 1 << 20
PULL_LIMIT = 500
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MODELS: dict[str, type[SyncedRecord]] = {m.__tablename__: m for m in SYNCED_TABLES}  # type: ignore[misc]

Progress = Callable[[str, int, int], None]  # stage, done, total
Key = tuple[str, str]  # (table, record id)


class SyncError(InspectorError):
    """A sync that could not finish; what was done before it stays done."""

    code = "sync"


def _depth(table: str, seen: frozenset[str] = frozenset()) -> int:
    """How many parents a table has above it: parents are sent and applied before their children."""
    parent = PARENT_OF.get(table)
    if parent is None or table in seen:
        return 0
    return 1 + _depth(parent[1], seen | {table})


@dataclass
class SyncReport:
    pushed: int = 0
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    pulled: int = 0  # records that changed here (our own changes coming back are not counted)
    blobs_downloaded: int = 0
    number_blocks: int = 0
    audit_events: int = 0  # audit events the office newly kept
    cursor: int = 0
    cancelled: bool = False
    stages: list[str] = field(default_factory=list)

    def summary_zh(self) -> str:
        text_ = f"已上传{self.pushed}条记录、{self.blobs_uploaded}个文件，已接收{self.pulled}条记录。"
        return text_ + ("（已取消，其余下次同步）" if self.cancelled else "")


# ─── connection ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class OfficeLink:
    url: str
    token: str
    device_id: str
    county_code: str
    role: str
    user_name: str
    cert_pem: str = ""  # the office's TLS certificate as first seen at enrolment: the only one trusted after


def office_link(session: Session) -> OfficeLink | None:
    data = get_setting(session, SYNC_KEY)
    if not isinstance(data, dict) or not data.get("token"):
        return None
    return OfficeLink(
        url=str(data["url"]),
        token=str(data["token"]),
        device_id=str(data.get("device_id", "")),
        county_code=str(data.get("county_code", "")),
        role=str(data.get("role", "inspector")),
        user_name=str(data.get("user_name", "")),
        cert_pem=str(data.get("cert_pem", "")),
    )


def http_client(url: str, token: str | None = None, cert_pem: str = "") -> httpx.Client:
    """A client for the office; over https it trusts exactly the certificate pinned at enrolment."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    verify: ssl.SSLContext | bool = True
    if url.startswith("https://") and cert_pem:
        verify = pinned_context(cert_pem)
    return httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=TIMEOUT, verify=verify)


def pinned_context(cert_pem: str) -> ssl.SSLContext:
    """Trust this one certificate (self-signed or not) and nothing else; the name in it does not matter,
    since the certificate itself is what was checked at enrolment."""
    context = ssl.create_default_context(cadata=cert_pem)
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def office_certificate(url: str) -> str:
    """The certificate an https office presents now (PEM), to pin at enrolment; "" for plain http."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return ""
    try:
        return ssl.get_server_certificate((parts.hostname or "", parts.port or 443), timeout=10)
    except OSError as exc:
        raise SyncError(
            f"Cannot read the office's certificate at {url}: {exc}",
            "无法连接办公室服务器，请检查网络和服务器地址。",
            code="unreachable",
        ) from exc


def fingerprint(cert_pem: str) -> str:
    """SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` prints it, to compare by eye."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert_pem)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body = ErrorBody.model_validate(response.json())
    except (ValueError, PydanticValidationError):
        body = ErrorBody(code=f"http_{response.status_code}", message=response.text[:200])
    if response.status_code == 401:
        raise SyncError(
            f"The office refused this laptop's token ({body.message}).",
            "办公室拒绝了本机的同步凭证（可能已被吊销），请联系管理员重新登记本机。",
            code="unauthorized",
        )
    if response.status_code == 403:
        raise SyncError(
            f"Refused by the office: {body.message}",
            f"办公室拒绝：{body.message_zh or '不属于本辖区的数据'}。",
            code="forbidden",
        )
    raise SyncError(
        f"Office error {response.status_code} {body.code}: {body.message}",
        f"办公室返回错误（{body.message_zh or body.code}）。",
        code=body.code,
    )


def _call(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    try:
        response = http.request(method, f"{API}{path}", **kwargs)
    except httpx.ConnectError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            raise SyncError(
                f"The office at {http.base_url} presented another certificate than at enrolment: {exc}",
                "办公室服务器的证书与登记时不一致，可能被冒充，已停止同步。请联系管理员核实后重新登记本机。",
                code="certificate",
            ) from exc
        raise SyncError(
            f"Cannot reach the office at {http.base_url}: {exc}",
            "无法连接办公室服务器，请检查网络；数据已保存在本机，下次联网时同步。",
            code="unreachable",
        ) from exc
    except httpx.TransportError as exc:  # timeouts, resets, cut connections
        raise SyncError(
            f"The connection to the office broke: {exc!r}",
            "与办公室的连接中断，本次同步未完成；已完成的部分不会丢失，下次会继续。",
            code="network",
        ) from exc
    _raise_for(response)
    return response


def enroll(
    store: Store, http: httpx.Client, *, url: str, code: str, device_name: str, cert_pem: str = ""
) -> OfficeLink:
    """Exchange the one-time code the office printed for this laptop's device token (kept in settings).

    The token is chosen here and saved before the request, so that a lost answer (a cut, the app killed)
    is repaired by enrolling again with the same code: the office recognizes the token and answers again."""
    code = code.strip()
    with store.session() as session:
        pending = get_setting(session, PENDING_ENROLL_KEY)
        if isinstance(pending, dict) and pending.get("url") == url and pending.get("code") == code:
            token = str(pending["token"])
        else:
            token = secrets.token_urlsafe(32)
            set_setting(session, PENDING_ENROLL_KEY, {"url": url, "code": code, "token": token})
    request = EnrollRequest(code=code, device_name=device_name, token=token)
    response = _call(http, "POST", "/enroll", json=request.model_dump())
    enrolled = EnrollResponse.model_validate(response.json())
    link = OfficeLink(
        url, enrolled.token, enrolled.device_id, enrolled.county_code, enrolled.role, enrolled.user_name, cert_pem
    )
    with store.session() as session:
        set_setting(session, SYNC_KEY, link.__dict__)
        set_setting(session, PENDING_ENROLL_KEY, None)
        state = session.get(SyncState, url) or SyncState(office_url=url)
        state.device_id = enrolled.device_id
        session.add(state)
    return link


# ─── push ────────────────────────────────────────────────────────────────────────────────────────────


def _change(session: Session, entry: OutboxEntry) -> RecordChange:
    model = MODELS.get(entry.table_name)
    row = session.get(model, entry.record_id) if model is not None else None
    if row is None:
        return RecordChange(table=entry.table_name, id=entry.record_id, op="delete", version=entry.record_version)
    return RecordChange(
        table=entry.table_name,
        id=row.id,
        op="upsert",
        version=row.version,
        updated_at=row.updated_at,
        origin_device=row.origin_device,
        data=row.model_dump(mode="json"),
        fields=entry.fields,
    )


def _pending(session: Session) -> list[OutboxEntry]:
    entries = list(session.exec(select(OutboxEntry).order_by(col(OutboxEntry.seq))))
    return sorted(entries, key=lambda e: (_depth(e.table_name), e.seq or 0))


def _batches(entries: list[OutboxEntry]) -> Iterator[list[OutboxEntry]]:
    for start in range(0, len(entries), MAX_BATCH):
        yield entries[start : start + MAX_BATCH]


# A push body stays well under what the office reads (MAX_BODY_BYTES, 413 above): long texts or many frozen
# document fields in one batch are split in halves, in order, until each half fits.
PUSH_BODY_BUDGET = MAX_BODY_BYTES // 2


def _requests(store: Store, link: OfficeLink, entries: list[OutboxEntry]) -> Iterator[tuple[list[OutboxEntry], bytes]]:
    """(entries, JSON body) of each push request. The split depends only on the entries, so a batch sent again
    after a lost answer has the same id."""
    for batch in _batches(entries):
        with store.session() as session:
            changes = [_change(session, e) for e in batch]
        parts = [(batch, changes)]
        while parts:
            part, part_changes = parts.pop(0)
            request = PushRequest(batch_id=_batch_id(link.device_id, part), changes=part_changes)
            body = request.model_dump_json().encode()
            if len(body) > PUSH_BODY_BUDGET and len(part) > 1:
                half = len(part) // 2
                parts[0:0] = [(part[:half], part_changes[:half]), (part[half:], part_changes[half:])]
                continue
            yield part, body


def _batch_id(device_id: str, batch: list[OutboxEntry]) -> str:
    """The same entries give the same key: a batch sent again after a lost answer is applied once."""
    digest = hashlib.sha256(",".join(f"{e.seq}:{e.record_version}" for e in batch).encode()).hexdigest()
    return f"{device_id}:{digest[:40]}"


def referenced_blobs(session: Session, entries: list[OutboxEntry]) -> list[str]:
    hashes: list[str] = []
    columns = dict(BLOB_COLUMNS)
    for entry in entries:
        column = columns.get(entry.table_name)
        model = MODELS.get(entry.table_name)
        if column is None or model is None:
            continue
        row = session.get(model, entry.record_id)
        value = getattr(row, column, "") if row is not None else ""
        if value and value not in hashes:
            hashes.append(value)
    return hashes


def upload_blob(
    store: Store, http: httpx.Client, sha256: str, *, fresh: bool = False, progress: Callable[[int], None] | None = None
) -> int:
    """Send one blob from where the office's copy stops; returns the bytes sent.

    `fresh`: the office just said it lacks the blob, so it is sent from 0 without asking for the offset first (a
    leftover part from a cut upload answers offset_mismatch, and the upload resumes there). A blob goes in
    requests of up to CHUNK bytes, streamed from the file; the last one asks the office to check the hash and
    keep it, so a photo takes one request."""
    blobs = store.blobs
    size = blobs.size(sha256)
    if fresh:
        offset = 0
    else:
        state = UploadOffset.model_validate(_call(http, "GET", f"/blobs/{sha256}/offset").json())
        if state.complete:
            return 0
        offset = state.offset
    sent = 0
    while True:
        end = min(size, offset + CHUNK)
        from_put = True
        try:
            reply = _call(
                http,
                "PUT",
                f"/blobs/{sha256}",
                params={"offset": offset, "final": end == size},
                content=blobs.read_range(sha256, offset, end),
                headers={"Content-Type": "application/octet-stream", "Content-Length": str(end - offset)},
            )
        except SyncError as exc:
            if exc.code != "offset_mismatch":
                raise
            reply = _call(http, "GET", f"/blobs/{sha256}/offset")  # the office has more or less: resume there
            from_put = False
        state = UploadOffset.model_validate(reply.json())
        if state.complete:
            return sent + (end - offset if from_put else 0)
        sent += max(0, state.offset - offset)
        offset = state.offset
        if progress is not None:
            progress(sent)


def upload_blobs(
    store: Store,
    http: httpx.Client,
    missing: list[str],
    report: SyncReport,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> None:
    """Send the blobs the office lacks: photos many to a request (packs of up to PACK_BYTES), a blob larger than
    CHUNK by offset on its own; any a pack did not store (cut short, busy, damaged on the way) by offset too.

    A request per photo waited for the office to make each one durable before the next could start: a quarter
    to a third of the speed of one stream of the same bytes (benchmarks/sync.py --only upload). The office
    must know packs: update it before the laptops."""
    sizes = {sha: store.blobs.size(sha) for sha in missing}
    started: set[str] = set()

    def step(sha: str) -> bool:
        """Progress before a blob goes; False when the user cancelled."""
        if should_cancel is not None and should_cancel():
            report.cancelled = True
            return False
        started.add(sha)
        if progress is not None:
            progress("upload", len(started) - 1, len(missing))
        return True

    def by_offset(sha: str, *, fresh: bool) -> bool:
        if not step(sha):
            return False
        report.bytes_uploaded += upload_blob(store, http, sha, fresh=fresh)
        report.blobs_uploaded += 1
        return True

    for pack in _packs([sha for sha in missing if sizes[sha] <= CHUNK], sizes):
        receipt = upload_pack(store, http, pack, sizes, before_each=step)
        outcomes = {o.sha256: o for o in receipt.blobs}
        for sha in pack:
            outcome = outcomes.get(sha)
            if outcome is not None and outcome.status == "stored":
                report.bytes_uploaded += sizes[sha]
                report.blobs_uploaded += 1
            elif (outcome is None or outcome.status != "present") and not by_offset(sha, fresh=False):
                return
    for sha in missing:
        if sizes[sha] > CHUNK and not by_offset(sha, fresh=True):
            return


def _packs(hashes: list[str], sizes: dict[str, int]) -> Iterator[list[str]]:
    pack: list[str] = []
    size = 0
    for sha in hashes:
        if pack and (len(pack) == MAX_PACK_BLOBS or size + sizes[sha] > PACK_BYTES):
            yield pack
            pack, size = [], 0
        pack.append(sha)
        size += sizes[sha]
    if pack:
        yield pack


def upload_pack(
    store: Store,
    http: httpx.Client,
    hashes: list[str],
    sizes: dict[str, int],
    *,
    before_each: Callable[[str], bool] | None = None,
) -> PackReceipt:
    """Send whole blobs in one request (PUT /blobs/pack); `before_each` returning False ends the body early, at
    a blob's boundary (a cancel): the office keeps the blobs sent until then."""
    manifest = PackManifest(blobs=[PackEntry(sha256=sha, size=sizes[sha]) for sha in hashes])

    def body() -> Iterator[bytes]:
        yield manifest.model_dump_json().encode() + b"\n"
        for sha in hashes:
            if before_each is not None and not before_each(sha):
                return
            yield from store.blobs.read_range(sha)

    reply = _call(
        http,
        "PUT",
        "/blobs/pack",
        content=body(),
        headers={"Content-Type": "application/octet-stream"},
    )
    return PackReceipt.model_validate(reply.json())


def _outgoing(store: Store) -> tuple[list[OutboxEntry], list[str]]:
    """What goes up now: the pending entries, and the blobs their records reference."""
    with store.session() as session:
        entries = _pending(session)
        for shipped in (e for e in entries if e.table_name in GLOBAL_TABLES):
            # Checklists and question banks ship with the app (same ids everywhere): nothing to send.
            session.delete(shipped)
        entries = [e for e in entries if e.table_name not in GLOBAL_TABLES]
        return entries, referenced_blobs(session, entries)


def _send_blobs(
    store: Store,
    http: httpx.Client,
    hashes: list[str],
    report: SyncReport,
    *,
    progress: Progress | None,
    should_cancel: Callable[[], bool] | None,
) -> None:
    """Blobs first (those the office lacks), then the rows that reference them."""
    if hashes:
        missing = BlobList.model_validate(
            _call(http, "POST", "/blobs/missing", json=BlobList(hashes=hashes).model_dump()).json()
        ).hashes
        upload_blobs(store, http, missing, report, progress=progress, should_cancel=should_cancel)


def _acknowledge(store: Store, link: OfficeLink, batch: list[OutboxEntry], report: SyncReport) -> None:
    sent = {(e.seq, e.record_version) for e in batch}
    with store.session() as session:
        # Only the entries sent are acknowledged: an edit made meanwhile has a newer entry that stays.
        for entry in session.exec(select(OutboxEntry).where(col(OutboxEntry.seq).in_([s for s, _ in sent]))):
            session.delete(entry)
        state = session.get(SyncState, link.url) or SyncState(office_url=link.url, device_id=link.device_id)
        state.last_push_at = clock.now()
        session.add(state)
    report.pushed += len(batch)


def push(
    store: Store,
    http: httpx.Client,
    link: OfficeLink,
    report: SyncReport,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> None:
    """Send everything pending, blobs first, in batches (POST /push)."""
    entries, hashes = _outgoing(store)
    if not entries:
        return  # (usually: the first batch went with the sync request)
    _send_blobs(store, http, hashes, report, progress=progress, should_cancel=should_cancel)
    if report.cancelled:
        return
    total = len(entries)
    done = 0
    for batch, body in _requests(store, link, entries):
        if should_cancel is not None and should_cancel():
            report.cancelled = True
            return
        if progress is not None:
            progress("push", done, total)
        _call(http, "POST", "/push", content=body, headers={"Content-Type": "application/json"})
        _acknowledge(store, link, batch, report)
        done += len(batch)
    if progress is not None:
        progress("push", total, total)


# ─── pull ────────────────────────────────────────────────────────────────────────────────────────────


APPLIED, UNCHANGED, WAITING = "applied", "unchanged", "waiting"


def _apply(session: Session, change: RecordChange, arriving: set[str], pending: dict[Key, OutboxEntry]) -> str:
    """Store one pulled record: applied, unchanged (nothing new for this laptop), or waiting (its parent comes
    with a later page).

    The office's copy already merged everything this laptop pushed, so it replaces the local row, except for
    the columns of a change made here since the push (still pending): those stay and go up with the next push.
    """
    model = MODELS.get(change.table)
    if model is None:
        return UNCHANGED  # a table this version does not know: nothing to do with it
    existing = session.get(model, change.id)
    if change.op == "delete":
        if existing is None:
            return UNCHANGED
        session.delete(existing)
        return APPLIED
    assert change.data is not None
    mine = pending.get((change.table, change.id))
    if mine is not None and (mine.op == OutboxOp.DELETE or mine.fields is None or NEW_RECORD in mine.fields):
        return UNCHANGED  # wholly ours: the office gets it with the next push
    data = dict(change.data)
    if existing is not None:
        local = existing.model_dump(mode="json")
        if mine is not None and mine.fields:
            for name in mine.fields:
                if name in local:
                    data[name] = local[name]
            data["version"] = max(int(data.get("version") or 0), existing.version)
            data["updated_at"] = local["updated_at"]
        if local == data:
            return UNCHANGED
    for fk in model.__table__.foreign_keys:  # type: ignore[attr-defined]
        parent_id = data.get(fk.parent.name)
        target = MODELS.get(fk.column.table.name)
        if parent_id and target is not None and parent_id not in arriving and session.get(target, parent_id) is None:
            return WAITING
    session.merge(model.model_validate(data))
    return APPLIED


def _pending_for(session: Session, changes: list[RecordChange]) -> dict[Key, OutboxEntry]:
    ids = sorted({c.id for c in changes})
    found: dict[Key, OutboxEntry] = {}
    for start in range(0, len(ids), 500):
        for entry in session.exec(select(OutboxEntry).where(col(OutboxEntry.record_id).in_(ids[start : start + 500]))):
            found[(entry.table_name, entry.record_id)] = entry
    return found


def _pull_cursor(store: Store, link: OfficeLink) -> int:
    with store.session() as session:
        state = session.get(SyncState, link.url)
        return state.pull_cursor if state is not None else 0


Waiting = list[tuple[int, RecordChange]]  # (seq position, change) whose parent has not arrived


def _store_page(
    store: Store,
    http: httpx.Client,
    link: OfficeLink,
    *,
    cursor: int,
    page: PullResponse,
    waiting: Waiting,
    report: SyncReport,
) -> Waiting:
    """Apply one page pulled after `cursor` in one transaction, its photos and PDFs fetched first; returns the
    changes still waiting for their parent. The stored cursor never passes one of those."""
    ordered = [(cursor, c) for c in page.changes]
    candidates = waiting + ordered
    candidates.sort(key=lambda item: _depth(item[1].table))
    # The page's photos and PDFs first: the cursor moves past a record only once its blob is here, so a
    # download cut off (network, full disk) is fetched again by the next sync.
    _download_blobs(store, http, page.changes, report)
    if page.stamp:
        hlc.observe(page.stamp)  # edits made after this pull order after everything in it
    with store.session(applying_remote=True) as session:
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at commit
        still: Waiting = []
        arriving = {c.id for _, c in candidates}
        pending = _pending_for(session, [c for _, c in candidates])
        for position, change in candidates:
            outcome = _apply(session, change, arriving, pending)
            if outcome == WAITING:
                still.append((position, change))
            elif outcome == APPLIED:
                report.pulled += 1
            session.flush()
        # The cursor never passes a change that is still waiting: after a crash it is pulled again.
        stored_cursor = min([p for p, _ in still], default=page.cursor)
        row = session.get(SyncState, link.url) or SyncState(office_url=link.url, device_id=link.device_id)
        row.pull_cursor = stored_cursor
        row.last_pull_at = clock.now()
        row.last_stamp = max(row.last_stamp, page.stamp)
        session.add(row)
    report.cursor = page.cursor
    return still


def pull(
    store: Store,
    http: httpx.Client,
    link: OfficeLink,
    report: SyncReport,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> None:
    """Pull and apply the pages after the stored cursor (GET /pull) until the office has no more."""
    cursor = _pull_cursor(store, link)
    waiting: Waiting = []
    while True:
        if should_cancel is not None and should_cancel():
            report.cancelled = True
            return
        page = PullResponse.model_validate(
            _call(http, "GET", "/pull", params={"cursor": cursor, "limit": PULL_LIMIT}).json()
        )
        if progress is not None:
            progress("pull", page.cursor, page.cursor + (PULL_LIMIT if page.more else 0))
        waiting = _store_page(store, http, link, cursor=cursor, page=page, waiting=waiting, report=report)
        cursor = page.cursor
        if not page.more:
            break


def _download_blobs(store: Store, http: httpx.Client, changes: list[RecordChange], report: SyncReport) -> None:
    """Photos, signatures and PDFs of pulled records, fetched into the blob store (hash checked there)."""
    columns = dict(BLOB_COLUMNS)
    for change in changes:
        column = columns.get(change.table)
        sha = str((change.data or {}).get(column, "")) if column else ""
        if not sha or store.blobs.has(sha):
            continue
        try:
            with http.stream("GET", f"{API}/blobs/{sha}") as response:
                if not response.is_success:
                    response.read()
                    _raise_for(response)
                stored = store.blobs.put_stream(response.iter_bytes(READ_PIECE))
        except httpx.TransportError as exc:
            raise SyncError(
                f"Downloading {sha} broke off: {exc!r}",
                "下载照片或文书时连接中断，下次同步会继续。",
                code="network",
            ) from exc
        if stored != sha:
            raise SyncError(
                f"The office sent other bytes for {sha}.", "从办公室收到的文件校验不符，已丢弃。", code="hash_mismatch"
            )
        report.blobs_downloaded += 1


def _numbers_wanted(store: Store) -> tuple[int, bool]:
    """The year of the case-number blocks, and whether ours ran out (the office then reserves another)."""
    year = clock.local_today().year
    with store.session() as session:
        local = session.exec(
            select(NumberBlock).where(NumberBlock.year == year, NumberBlock.device_id == store.device_id)
        ).all()
    return year, bool(local) and all(b.next_number > b.last_number for b in local)


def _record_blocks(store: Store, answer: NumberBlocks, report: SyncReport) -> None:
    """Record the case-number blocks the office reserved for this laptop (a new one goes up with this sync)."""
    with store.session() as session:
        known = {
            (b.agency_short_name, b.year, b.first_number, b.last_number)
            for b in session.exec(select(NumberBlock).where(NumberBlock.device_id == store.device_id))
        }
        for block in answer.blocks:
            key = (block.agency_short_name, block.year, block.first_number, block.last_number)
            if key not in known:
                session.add(
                    NumberBlock(
                        agency_short_name=block.agency_short_name,
                        year=block.year,
                        first_number=block.first_number,
                        last_number=block.last_number,
                        next_number=block.first_number,
                        device_id=store.device_id,
                    )
                )
                report.number_blocks += 1


def exchange(
    store: Store,
    http: httpx.Client,
    link: OfficeLink,
    report: SyncReport,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> bool:
    """A sync's usual work in one request (POST /sync): the number blocks topped up, the first batch of changes
    pushed (its blobs uploaded before), the first page pulled. Returns whether more is left to pull.

    Four round trips a sync (numbers, push, pull, audit) made the office's per-request work most of a sync's
    cost with 200 laptops at once (benchmarks/sync.py --only laptops); most syncs now take two."""
    entries, hashes = _outgoing(store)
    _send_blobs(store, http, hashes, report, progress=progress, should_cancel=should_cancel)
    if report.cancelled or (should_cancel is not None and should_cancel()):
        report.cancelled = True
        return False
    first = next(_requests(store, link, entries), None)
    if progress is not None:
        progress("push", 0, len(entries))
    year, exhausted = _numbers_wanted(store)
    cursor = _pull_cursor(store, link)
    request = SyncRequest(year=year, exhausted=exhausted, cursor=cursor, limit=PULL_LIMIT)
    ask = request.model_dump_json(exclude={"push"}).encode()
    body = ask[:-1] + b',"push":' + first[1] + b"}" if first is not None else ask  # the batch's JSON as made
    answer = SyncResponse.model_validate_json(
        _call(http, "POST", "/sync", content=body, headers={"Content-Type": "application/json"}).content
    )
    _record_blocks(store, answer.numbers, report)
    if first is not None:
        _acknowledge(store, link, first[0], report)
    page = answer.pull
    if progress is not None:
        progress("pull", page.cursor, page.cursor + (PULL_LIMIT if page.more else 0))
    waiting = _store_page(store, http, link, cursor=cursor, page=page, waiting=[], report=report)
    return page.more or bool(waiting)


# ─── audit chain ─────────────────────────────────────────────────────────────────────────────────────


def _audit_body(event: AuditEvent) -> AuditEventBody:
    """An event as `inspector.store.audit.event_hash` hashed it (`at` as the very text it covered)."""
    return AuditEventBody(
        seq=event.seq or 0,
        id=event.id,
        at=str(to_jsonable_python(event.at)),
        device_id=event.device_id,
        actor=event.actor,
        action=event.action,
        table_name=event.table_name,
        record_id=event.record_id,
        old_values=event.old_values,
        new_values=event.new_values,
        record_sha256=event.record_sha256,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def _audit_cursor(store: Store, http: httpx.Client, link: OfficeLink) -> int:
    """The seq of the newest event the office holds: kept here after every acknowledged batch; asked of the
    office when none is kept for this enrolment (the first time, or enrolled anew)."""
    with store.session() as session:
        cursor = get_setting(session, AUDIT_CURSOR_KEY)
    if isinstance(cursor, dict) and cursor.get("device_id") == link.device_id:
        return int(cursor.get("seq", 0))
    state = AuditState.model_validate(_call(http, "GET", "/audit").json())
    _save_audit_cursor(store, link, state)
    return state.last_seq


def _save_audit_cursor(store: Store, link: OfficeLink, state: AuditState) -> None:
    with store.session() as session:
        set_setting(
            session, AUDIT_CURSOR_KEY, {"device_id": link.device_id, "seq": state.last_seq, "hash": state.last_hash}
        )


def send_audit(
    store: Store,
    http: httpx.Client,
    link: OfficeLink,
    report: SyncReport,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> None:
    """Send the audit events the office does not hold yet, oldest first, in batches.

    A batch whose answer is lost is sent again and the office skips what it holds, so nothing is doubled. An
    answer of 409 audit_chain_broken (this laptop's log no longer continues what the office holds) is raised as
    it comes: the office has recorded the break for a supervisor, and the events stay here."""
    after = _audit_cursor(store, http, link)
    with store.session() as session:
        total = session.exec(select(func.count()).select_from(AuditEvent).where(col(AuditEvent.seq) > after)).one()
    done = 0
    while True:
        if should_cancel is not None and should_cancel():
            report.cancelled = True
            return
        if progress is not None:
            progress("audit", done, total)
        with store.session() as session:
            events = list(
                session.exec(
                    select(AuditEvent)
                    .where(col(AuditEvent.seq) > after)
                    .order_by(col(AuditEvent.seq))
                    .limit(AUDIT_BATCH)
                )
            )
        if not events:
            break
        request = AuditPush(events=[_audit_body(e) for e in events])
        try:
            reply = _call(
                http, "POST", "/audit", content=request.model_dump_json(), headers={"Content-Type": "application/json"}
            )
        except SyncError as exc:
            if exc.code != AUDIT_BROKEN:
                raise
            raise SyncError(
                exc.message_en,
                "本机的审计日志与办公室已保存的不一致（可能被改动过），办公室已拒收并记录。"
                "记录和照片已同步；请联系主管核查。",
                code=AUDIT_BROKEN,
            ) from exc
        answer = AuditPushResponse.model_validate(reply.json())
        if answer.last_seq < (events[-1].seq or 0):  # the office must now hold the batch: else this never ends
            raise SyncError(
                f"The office kept the audit log only up to event {answer.last_seq} of {events[-1].seq}.",
                "办公室未能保存本机的全部审计日志，请稍后再同步。",
                code="audit_incomplete",
            )
        _save_audit_cursor(store, link, answer)
        report.audit_events += answer.received
        done += len(events)
        after = answer.last_seq
    if progress is not None:
        progress("audit", total, total)


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return "database or disk is full" in str(exc)


def _remember_error(store: Store, link: OfficeLink, exc: SyncError) -> None:
    try:
        with store.session() as session:
            state = session.get(SyncState, link.url) or SyncState(office_url=link.url, device_id=link.device_id)
            state.last_error = exc.message_zh
            session.add(state)
    except (OSError, OperationalError):
        log.warning("could not record the sync error %s (disk full?)", exc.code)


def sync_once(
    store: Store,
    http: httpx.Client | None = None,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> SyncReport:
    """Push everything pending (blobs first), then pull, then send the audit log's new events; each step's work
    stays done if a later one fails."""
    with store.session() as session:
        link = office_link(session)
    if link is None:
        raise SyncError(
            "This laptop is not enrolled with an office.",
            "本机尚未登记到办公室，请先用登记码登记。",
            code="not_enrolled",
        )
    own = http is None
    client = http or http_client(link.url, link.token, link.cert_pem)
    report = SyncReport()
    try:
        more = exchange(store, client, link, report, progress=progress, should_cancel=should_cancel)
        pushed = report.pushed
        if not report.cancelled:
            # The rest: further batches, and a number block just reserved (its row goes up with this sync).
            push(store, client, link, report, progress=progress, should_cancel=should_cancel)
        if not report.cancelled and (more or report.pushed > pushed):
            pull(store, client, link, report, progress=progress, should_cancel=should_cancel)
        if not report.cancelled:
            # Last: the pull writes "sync" events too, so one sync sends every event it caused.
            send_audit(store, client, link, report, progress=progress, should_cancel=should_cancel)
    except (OSError, OperationalError) as exc:
        if not _disk_full(exc):
            raise
        failure = SyncError(
            f"The laptop's disk is full: {exc}",
            "本机磁盘空间已满，同步未完成；已同步的部分不会丢失。请清理磁盘后再同步。",
            code="disk_full",
        )
        _remember_error(store, link, failure)
        raise failure from exc
    except SyncError as exc:
        _remember_error(store, link, exc)
        raise
    finally:
        if own:
            client.close()
    with store.session() as session:
        done = session.get(SyncState, link.url)
        if done is not None and done.last_error:
            done.last_error = ""
            session.add(done)
    return report
