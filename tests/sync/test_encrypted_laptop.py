"""An encrypted laptop syncs like a clear one: the office gets the plain photos and PDFs (same hashes), a
colleague's laptop stores them sealed again under its own key, and no secret reaches the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.office.admin import add_user, enroll_device
from inspector.store import audit, crypto
from inspector.store.db import Store, open_store
from inspector.store.encryption import encrypt_folder
from inspector.store.models import Document, Evidence
from inspector.sync.client import enroll, sync_once
from tests.sync.conftest import URL, Office

PASSPHRASES = {"a": "甲的口令 2026", "b": "乙的口令 2026"}


def _encrypted_laptop(office: Office, tmp_path: Path, name: str, *, demo: bool) -> tuple[Store, object, str, str]:
    from fastapi.testclient import TestClient

    from inspector.demo.seed import seed_demo
    from inspector.shipped import install_shipped_content

    folder = tmp_path / name
    created = encrypt_folder(folder, PASSPHRASES[name], scrypt_n=1 << 12)
    store = open_store(folder, passphrase=PASSPHRASES[name])
    if demo:
        seed_demo(store)
    else:
        with store.session() as session:
            install_shipped_content(session)  # what the app does at start
    user = add_user(office.engine, name=f"执法{name}", role="inspector", county_code="140522")
    code = enroll_device(office.engine, user)
    http = TestClient(office.client.app)
    link = enroll(store, http, url=URL, code=code, device_name=name)
    http.headers["Authorization"] = f"Bearer {link.token}"
    return store, http, link.token, created.recovery_key


def test_encrypted_laptops_sync_plain_content_and_keep_it_sealed(
    office: Office, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV, raising=False)
    caplog.set_level(logging.DEBUG)
    a, http_a, token_a, recovery_a = _encrypted_laptop(office, tmp_path, "a", demo=True)
    b, http_b, token_b, _recovery_b = _encrypted_laptop(office, tmp_path, "b", demo=False)
    try:
        up = sync_once(a, http_a)  # type: ignore[arg-type]
        assert up.blobs_uploaded >= 7
        down = sync_once(b, http_b)  # type: ignore[arg-type]
        assert down.blobs_downloaded >= 7
        with a.session() as session:
            hashes = [e.sha256 for e in session.exec(select(Evidence))]
            hashes += [d.pdf_sha256 for d in session.exec(select(Document)) if d.pdf_sha256]
        office_blobs = tmp_path / "office-blobs"
        for sha in hashes:
            plain = a.blobs.read(sha)
            assert b.blobs.read(sha) == plain  # the colleague reads the same bytes …
            assert b.blobs.path_of(sha).read_bytes() != a.blobs.path_of(sha).read_bytes()  # … under its own key
            assert crypto.is_sealed(b.blobs.path_of(sha))
            assert (office_blobs / sha[:2] / sha).read_bytes() == plain  # the office holds the original
        for store in (a, b):
            with store.session() as session:
                assert audit.verify_audit(session).problems == []
        key_hex = a.key.sqlcipher_key() if a.key else ""
    finally:
        a.close()
        b.close()
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert caplog.records  # the sync did log (so the check below looked at something)
    for secret in (token_a, token_b, *PASSPHRASES.values(), recovery_a, key_hex[2:-1]):
        assert secret and secret not in logged
