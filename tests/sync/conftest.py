"""Shared by the sync tests: an in-process office and laptops enrolled with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from inspector.demo.seed import seed_demo
from inspector.office.admin import add_user, enroll_device
from inspector.office.app import create_app
from inspector.office.db import open_office_db
from inspector.shipped import install_shipped_content
from inspector.store.db import Store, open_store
from inspector.sync.client import enroll

URL = "http://testserver"


@dataclass
class Office:
    client: TestClient
    engine: Engine


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    db_url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    app = create_app(db_url, tmp_path / "office-blobs")
    with TestClient(app) as client:
        yield Office(client, open_office_db(db_url))


def laptop(
    office: Office,
    tmp_path: Path,
    name: str,
    *,
    county: str = "140522",
    demo: bool = False,
    role: str = "inspector",
) -> tuple[Store, TestClient]:
    store = open_store(tmp_path / name)
    if demo:
        seed_demo(store)
    else:
        with store.session() as session:
            install_shipped_content(session)  # what the app does at start
    user = add_user(office.engine, name=f"执法{name}", role=role, county_code=county)
    code = enroll_device(office.engine, user)
    http = TestClient(office.client.app)
    link = enroll(store, http, url=URL, code=code, device_name=name)
    http.headers["Authorization"] = f"Bearer {link.token}"
    return store, http
