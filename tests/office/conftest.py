"""The office server in-process (TestClient) on SQLite and on PostgreSQL, and laptops enrolled with it.

PostgreSQL: a throwaway database `office_test_<random>` per test session on 127.0.0.1:5432 (trust auth, as on
this machine and in CI), dropped at the end; each test gets a schema of its own in it. The PostgreSQL tests
never skip: without the server they fail and say why.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from inspector.office.admin import add_user, enroll_device
from inspector.office.app import create_app
from inspector.office.db import office_record

with warnings.catch_warnings():
    # Starlette's TestClient asks for `httpx2`, which is not released for this stack yet; httpx works.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.* is deprecated")
    from fastapi.testclient import TestClient

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
COUNTY_A = "140522"  # 阳城县
COUNTY_B = "140521"  # 沁水县
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


# ─── databases ───────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session; its name, dropped at the end."""
    name = f"office_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        pytest.fail(
            f"The office tests need PostgreSQL at {PG_ADMIN_URL} (user postgres, trust auth): {exc}",
            pytrace=False,
        )
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'office' / 'office.sqlite'}"
        return
    database = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


# ─── the office and its laptops ──────────────────────────────────────────────────────────────────────


@dataclass
class Laptop:
    """An enrolled device: its token and a few calls of the protocol."""

    client: TestClient
    device_id: str
    token: str
    county: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def push(self, changes: list[dict[str, Any]], batch_id: str | None = None) -> httpx.Response:
        body = {"batch_id": batch_id or secrets.token_hex(8), "changes": changes}
        return self.client.post("/api/v1/push", json=body, headers=self.headers)

    def pull(self, cursor: int = 0, limit: int | None = None) -> httpx.Response:
        params: dict[str, int] = {"cursor": cursor}
        if limit is not None:
            params["limit"] = limit
        return self.client.get("/api/v1/pull", params=params, headers=self.headers)

    def pull_all(self, limit: int = 1000) -> list[dict[str, Any]]:
        cursor, changes = 0, []
        while True:
            page = self.pull(cursor, limit).json()
            changes += page["changes"]
            cursor = page["cursor"]
            if not page["more"]:
                return changes

    def upload(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        r = self.client.put(f"/api/v1/blobs/{sha}", params={"offset": 0}, content=data, headers=self.headers)
        assert r.status_code == 200, r.text
        r = self.client.post(f"/api/v1/blobs/{sha}/complete", headers=self.headers)
        assert r.status_code == 200 and r.json()["complete"], r.text
        return sha


@dataclass
class Office:
    app: FastAPI
    client: TestClient
    engine: Engine
    blob_dir: Path
    laptops: list[Laptop] = field(default_factory=list)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def enroll(self, county: str = COUNTY_A, role: str = "inspector", name: str = "王一") -> Laptop:
        user_id = add_user(self.engine, name=name, role=role, county_code=county)
        code = enroll_device(self.engine, user_id)
        r = self.client.post("/api/v1/enroll", json={"code": code, "device_name": f"{name}的笔记本"})
        assert r.status_code == 200, r.text
        body = r.json()
        laptop = Laptop(self.client, body["device_id"], body["token"], county, role)
        self.laptops.append(laptop)
        return laptop

    def record_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(office_record)).scalar_one())

    def seqs(self) -> list[int]:
        with self.engine.connect() as conn:
            return [int(s) for s in conn.execute(select(office_record.c.seq).order_by(office_record.c.seq)).scalars()]

    def stored(self, table: str, record_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(
                select(office_record).where(office_record.c.table_name == table, office_record.c.record_id == record_id)
            ).first()


@pytest.fixture
def office(db_url: str, tmp_path: Path) -> Iterator[Office]:
    app = create_app(db_url, tmp_path / "blobs")
    with TestClient(app) as client:
        yield Office(app, client, app.state.office.engine, tmp_path / "blobs")


# ─── records as a laptop sends them ──────────────────────────────────────────────────────────────────

_ids = iter(range(1, 1_000_000))


def new_id(prefix: str = "rec") -> str:
    return f"{prefix}-{next(_ids):06d}-{secrets.token_hex(4)}"


def change(
    table: str,
    record_id: str,
    data: dict[str, Any] | None = None,
    *,
    op: str = "upsert",
    version: int = 1,
    updated_at: datetime = T0,
    origin: str = "laptop-1",
    fields: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    return {
        "fields": fields,
        "table": table,
        "id": record_id,
        "op": op,
        "version": version,
        "updated_at": updated_at.isoformat(),
        "origin_device": origin,
        "data": None if op == "delete" else {"id": record_id, **(data or {})},
    }


def enterprise(
    record_id: str, county: str = COUNTY_A, name: str = "阳城县测试煤业有限公司", **kw: Any
) -> dict[str, Any]:
    return change("enterprise", record_id, {"name": name, "county_code": county}, **kw)


def inspection(record_id: str, enterprise_id: str, **kw: Any) -> dict[str, Any]:
    return change("inspection", record_id, {"enterprise_id": enterprise_id, "status": "进行中"}, **kw)


def evidence(record_id: str, inspection_id: str, sha256: str, **kw: Any) -> dict[str, Any]:
    return change("evidence", record_id, {"inspection_id": inspection_id, "sha256": sha256}, **kw)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)
