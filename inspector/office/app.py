"""The office's HTTP API (inspector.sync.protocol), OpenAPI docs at /docs.

Every request but enroll is authenticated by its device token and scoped to the device's county. The app keeps
nothing in the process but the engine and the blob folder's path, so any number of server processes may share
one PostgreSQL database and one blob folder. Every error is an ErrorBody.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from inspector import __version__, clock
from inspector.errors import InspectorError
from inspector.office import audit, auth, limits, numbers, records
from inspector.office.auth import Device
from inspector.office.bodylimit import BodyLimit
from inspector.office.db import open_office_db
from inspector.office.errors import ApiError, http_error_text, unauthorized
from inspector.office.uploads import BlobUploads
from inspector.sync.protocol import (
    API,
    MAX_BODY_BYTES,
    MAX_CURSOR,
    MAX_PULL,
    AuditPush,
    AuditPushResponse,
    AuditState,
    BlobList,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    NumberBlocks,
    PackReceipt,
    PullResponse,
    PushRequest,
    PushResponse,
    SyncRequest,
    SyncResponse,
    UploadOffset,
)

log = logging.getLogger(__name__)

DB_ENV = "INSPECTOR_OFFICE_DB"
BLOB_DIR_ENV = "INSPECTOR_OFFICE_BLOBS"
AGENCY_ENV = "INSPECTOR_OFFICE_AGENCY"
THREADS_ENV = "INSPECTOR_OFFICE_THREADS"
DEFAULT_THREADS = 4  # measured with benchmarks/sync.py --only laptops: 4 beat 8 and 40 (anyio's default)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
}


@dataclass(frozen=True)
class Office:
    engine: Engine
    uploads: BlobUploads
    agency_short_name: str


def create_app(
    db_url: str, blob_dir: Path, *, agency_short_name: str = numbers.DEFAULT_AGENCY, threads: int = DEFAULT_THREADS
) -> FastAPI:
    """The app on a database (migrated to head here) and a blob folder; `threads`: requests served at once per
    process (the others wait for a thread)."""
    engine = open_office_db(db_url)
    office = Office(engine=engine, uploads=BlobUploads(engine, Path(blob_dir)), agency_short_name=agency_short_name)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Requests run their database work on worker threads. Past a few per process they only queue for the
        # one GIL, and a push holding the seq counter's row lock waits among them for its turn to commit.
        to_thread.current_default_thread_limiter().total_tokens = threads
        yield
        engine.dispose()

    app = FastAPI(
        title="Inspector office server",
        version=__version__,
        description="Sync API of the 安全生产现场执法助手 laptops: enroll, push, pull, blobs, case numbers, audit.",
        lifespan=lifespan,
    )
    app.state.office = office
    app.include_router(router)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(InspectorError, _inspector_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory --workers N inspector.office.app:app_from_env` (what `office serve --workers` runs)."""
    db_url = os.environ.get(DB_ENV, "")
    blob_dir = os.environ.get(BLOB_DIR_ENV, "")
    if not db_url or not blob_dir:
        raise RuntimeError(f"set {DB_ENV} and {BLOB_DIR_ENV}")
    return create_app(
        db_url,
        Path(blob_dir),
        agency_short_name=os.environ.get(AGENCY_ENV) or numbers.DEFAULT_AGENCY,
        threads=int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS),
    )


# ─── dependencies ────────────────────────────────────────────────────────────────────────────────────

_bearer = HTTPBearer(auto_error=False, description="The device token returned by /enroll.")


async def _office(request: Request) -> Office:  # async: no worker thread for a lookup
    return cast(Office, request.app.state.office)


OfficeDep = Annotated[Office, Depends(_office)]


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _device(
    request: Request,
    office: OfficeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    if credentials is None or not credentials.credentials:
        raise unauthorized("No device token (Authorization: Bearer …).")
    address = _address(request)
    with limits.counting_failures(office.engine, "token", address):
        return auth.authenticate(office.engine, credentials.credentials, address)


DeviceDep = Annotated[Device, Depends(_device)]
Sha256 = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex digest of the blob")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}
router = APIRouter(prefix=API, responses=_ERRORS)


# ─── endpoints ───────────────────────────────────────────────────────────────────────────────────────


@router.post("/enroll", response_model=EnrollResponse, tags=["devices"])
def enroll(body: EnrollRequest, request: Request, office: OfficeDep) -> EnrollResponse:
    """Trade a one-time enrollment code for this device's token (returned once, never again); an address with
    too many failed attempts is refused for a while (429)."""
    return limits.guarded(office.engine, "enroll", _address(request), lambda: auth.enroll(office.engine, body))


@router.post("/sync", response_model=SyncResponse, tags=["records"])
def sync(body: SyncRequest, office: OfficeDep, device: DeviceDep) -> Response:
    """A sync's usual work in one round trip: this device's case-number blocks (as GET /numbers), a batch of
    its changes (as POST /push), then the changes after `cursor` it may see (as GET /pull), in that order, each
    in its own transaction. An error in one part answers for the request; the parts before it stay done."""
    blocks = numbers.top_up(
        office.engine,
        device,
        agency_short_name=office.agency_short_name,
        year=body.year or clock.local_today().year,
        exhausted=body.exhausted,
    )
    pushed = records.push(office.engine, device, body.push) if body.push is not None else None
    page = records.pull_json(office.engine, device, body.cursor, body.limit)
    answer = b'{"numbers":%b,"push":%b,"pull":%b}' % (
        blocks.model_dump_json().encode(),
        pushed.model_dump_json().encode() if pushed is not None else b"null",
        page,
    )
    return Response(answer, media_type="application/json")


@router.post("/push", response_model=PushResponse, tags=["records"])
def push(body: PushRequest, office: OfficeDep, device: DeviceDep) -> PushResponse:
    """Apply a batch of changes in one transaction; the same batch_id again changes nothing."""
    return records.push(office.engine, device, body)


@router.get("/pull", response_model=PullResponse, tags=["records"])
def pull(
    office: OfficeDep,
    device: DeviceDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = MAX_PULL,
) -> Response:
    """The changes after `cursor` that this device may see, in order (a PullResponse)."""
    return Response(records.pull_json(office.engine, device, cursor, limit), media_type="application/json")


@router.post("/blobs/missing", response_model=BlobList, tags=["blobs"])
def missing_blobs(body: BlobList, office: OfficeDep, device: DeviceDep) -> BlobList:
    """Which of these blobs the office lacks (upload those)."""
    return BlobList(hashes=office.uploads.missing(body.hashes))


@router.put(
    "/blobs/pack",
    response_model=PackReceipt,
    tags=["blobs"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_blob_pack(request: Request, office: OfficeDep, device: DeviceDep) -> PackReceipt:
    """Many whole blobs in one request: a line of JSON (a PackManifest: each blob's sha256 and size, at most
    MAX_PACK_BLOBS), a newline, then the blobs' bytes one after the other in the manifest's order. Each blob is
    hashed; the good ones are kept, also when the bytes end early. The receipt says, blob by blob, what became
    of it; a blob not stored is sent again by offset (PUT /blobs/{sha256})."""
    return await office.uploads.receive_pack(request.stream(), device)


@router.get("/blobs/{sha256}/offset", response_model=UploadOffset, tags=["blobs"])
def blob_offset(sha256: Sha256, office: OfficeDep, device: DeviceDep) -> UploadOffset:
    """Where an upload resumes (complete=True when the office has the blob)."""
    return office.uploads.offset(sha256, device)


@router.put(
    "/blobs/{sha256}",
    response_model=UploadOffset,
    tags=["blobs"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_blob_chunk(
    sha256: Sha256,
    request: Request,
    office: OfficeDep,
    device: DeviceDep,
    *,
    offset: Annotated[int, Query(ge=0)],
    final: Annotated[bool, Query(description="the last chunk: check the hash and keep the blob, as /complete")] = False,
) -> UploadOffset:
    """Append the body at `offset`, which must be the upload's current offset (else 409 offset_mismatch).

    With `final=true` the upload is completed in the same request (409 hash_mismatch: discarded); a photo sent
    whole from offset 0 then takes one request, hashed as it arrives."""
    return await office.uploads.receive(sha256, offset, request.stream(), device=device if final else None)


@router.post("/blobs/{sha256}/complete", response_model=UploadOffset, tags=["blobs"])
def complete_blob(sha256: Sha256, office: OfficeDep, device: DeviceDep) -> UploadOffset:
    """Check the uploaded bytes against the hash and keep them (409 hash_mismatch: discarded)."""
    return office.uploads.complete(sha256, device)


@router.get(
    "/blobs/{sha256}",
    response_class=FileResponse,
    tags=["blobs"],
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_blob(sha256: Sha256, office: OfficeDep, device: DeviceDep) -> FileResponse:
    """A blob referenced by a record this device may see (or one it uploaded)."""
    return FileResponse(office.uploads.path_for(sha256, device), media_type="application/octet-stream")


@router.get("/numbers", response_model=NumberBlocks, tags=["numbers"])
def number_blocks(
    office: OfficeDep,
    device: DeviceDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: this year")] = None,
    exhausted: Annotated[bool, Query(description="the device's blocks are used up: reserve another")] = False,
) -> NumberBlocks:
    """This device's case-number blocks for the year; one is reserved if it has none (or asks for more)."""
    return numbers.top_up(
        office.engine,
        device,
        agency_short_name=office.agency_short_name,
        year=year or clock.local_today().year,
        exhausted=exhausted,
    )


@router.get("/audit", response_model=AuditState, tags=["audit"])
def audit_state(office: OfficeDep, device: DeviceDep) -> AuditState:
    """Where the office's copy of this device's audit chain ends: send the events after `last_seq`."""
    return audit.chain_state(office.engine, device)


@router.post("/audit", response_model=AuditPushResponse, tags=["audit"])
def audit_push(body: AuditPush, office: OfficeDep, device: DeviceDep) -> AuditPushResponse:
    """The next events of this device's own audit chain, oldest first. Events held already are skipped; a batch
    that does not continue the chain (409 audit_chain_broken) is refused whole and the break recorded."""
    return audit.receive(office.engine, device, body)


# ─── errors: always an ErrorBody ─────────────────────────────────────────────────────────────────────


def _error(status: int, body: ErrorBody) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _error(exc.status, exc.body)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors()[:10]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg', '')}")
    return _error(422, ErrorBody(code="invalid", message="; ".join(problems), message_zh="请求格式不正确。"))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message, message_zh = http_error_text(exc.status_code, str(exc.detail))
    return _error(exc.status_code, ErrorBody(code=code, message=message, message_zh=message_zh))


async def _inspector_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InspectorError)
    log.error("office request failed: %s", exc.message_en)
    return _error(500, ErrorBody(code=exc.code, message=exc.message_en, message_zh=exc.message_zh))


async def _server_error(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("office request failed", exc_info=exc)
    return _error(500, ErrorBody(code="internal", message="Internal server error.", message_zh="服务器内部错误。"))
