"""Encryption at rest: a stolen data folder shows nothing of the inspections; the passphrase, the recovery key,
locking, the one-time migration of a clear-text folder, and its resumption after a crash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.demo.seed import seed_demo
from inspector.domain.enums import Industry
from inspector.domain.identifiers import make_credit_code
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import derived_images, ingest_photo_bytes
from inspector.inspections.service import start_inspection
from inspector.registry.service import register_enterprise, register_inspector
from inspector.store import crypto
from inspector.store.blobs import BlobStore
from inspector.store.db import Store, open_store
from inspector.store.encryption import encrypt_folder
from inspector.store.models import Enterprise, Evidence

PASSPHRASE = "阳城 安监 2026"
FAST = 1 << 12  # scrypt cost for tests; the real one is stored in the keyring and read back from it
SECRET_NAME = "阳城县保密测试化工有限公司"
SECRET_NOTE = "二号罐区呼吸阀堵塞未处理"


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _fill(store: Store) -> tuple[str, str]:
    """An enterprise, an inspection with a note and a photo; returns (inspection id, photo hash)."""
    with store.session() as session:
        enterprise = register_enterprise(
            session,
            name=SECRET_NAME,
            credit_code=make_credit_code("140522", "MA0TEXT9"),
            industry=Industry.HAZARDOUS_CHEMICALS,
            county_code="140522",
            address="阳城县凤城镇",
            township="凤城镇",
            legal_representative="保密人",
        )
        officers = [
            register_inspector(session, name=n, cert_no=c, unit="阳城县应急管理局", county_code="140522")
            for n, c in (("王一", "14052200901"), ("赵二", "14052200902"))
        ]
        inspection = start_inspection(session, enterprise_id=enterprise.id, inspector_ids=[o.id for o in officers])
        inspection.notes = SECRET_NOTE
        session.add(inspection)
    evidence = ingest_photo_bytes(store, inspection.id, sample_photo(size=(640, 480), seed=3), name="现场.jpg")
    return inspection.id, evidence.sha256


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    folder = tmp_path / "laptop"
    encrypt_folder(folder, PASSPHRASE, scrypt_n=FAST)
    return folder


def test_a_stolen_encrypted_folder_shows_no_inspection_text_photo_or_document(encrypted: Path) -> None:
    store = open_store(encrypted, passphrase=PASSPHRASE)
    try:
        inspection_id, sha = _fill(store)
        assert derived_images(store).thumbnail(sha)[:2] == b"\xff\xd8"  # the app sees a JPEG
        with store.session() as session:
            assert session.exec(select(Enterprise.name)).all() == [SECRET_NAME]
    finally:
        store.close()
    stolen = _all_bytes(encrypted)
    for secret in (SECRET_NAME, SECRET_NOTE, "阳城", "凤城镇", "王一", inspection_id):
        assert secret.encode() not in stolen, secret
    assert b"SQLite format 3" not in stolen
    assert b"\xff\xd8\xff" not in stolen  # no JPEG, not even the thumbnail
    assert b"JFIF" not in stolen and b"Exif" not in stolen
    # The blob keeps its name (the hash of the plain photo), so sync and documents see the same identifiers.
    assert (encrypted / "blobs" / sha[:2] / sha).is_file()


def test_the_folder_opens_only_with_its_passphrase(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PASSPHRASE_ENV, raising=False)
    with pytest.raises(crypto.LockedError) as locked:
        open_store(encrypted)
    assert "口令" in locked.value.message_zh
    with pytest.raises(crypto.WrongPassphraseError) as wrong:
        open_store(encrypted, passphrase="not the passphrase")
    assert wrong.value.message_zh == "口令不正确。"
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, PASSPHRASE)
    open_store(encrypted).close()  # scripts and tests give it through the environment


def test_the_recovery_key_replaces_a_forgotten_passphrase(tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    created = encrypt_folder(folder, PASSPHRASE, scrypt_n=FAST)
    store = open_store(folder, passphrase=PASSPHRASE)
    _fill(store)
    store.close()
    with pytest.raises(crypto.WrongPassphraseError):
        crypto.recover(folder, "AAAA-" + created.recovery_key[5:], "新的口令12345")
    # Typed from a printout: lower case, spaces instead of dashes.
    crypto.recover(folder, created.recovery_key.lower().replace("-", " "), "新的口令12345")
    with pytest.raises(crypto.WrongPassphraseError):
        open_store(folder, passphrase=PASSPHRASE)
    store = open_store(folder, passphrase="新的口令12345")
    with store.session() as session:
        assert session.exec(select(Enterprise.name)).all() == [SECRET_NAME]
    store.close()
    crypto.change_passphrase(folder, "新的口令12345", "第三个口令abc")
    open_store(folder, passphrase="第三个口令abc").close()
    with pytest.raises(crypto.CryptoError) as weak:
        crypto.change_passphrase(folder, "第三个口令abc", "short")
    assert "至少" in weak.value.message_zh


def test_a_locked_store_refuses_work_until_unlocked(encrypted: Path) -> None:
    store = open_store(encrypted, passphrase=PASSPHRASE)
    try:
        _fill(store)
        store.lock()
        with pytest.raises(crypto.LockedError), store.session():
            pass
        with pytest.raises(crypto.WrongPassphraseError):
            store.unlock("wrong passphrase")
        assert store.locked
        store.unlock(PASSPHRASE)
        with store.session() as session:
            assert session.exec(select(Enterprise.name)).all() == [SECRET_NAME]
    finally:
        store.close()


def test_a_changed_or_foreign_blob_is_reported_not_read(encrypted: Path, tmp_path: Path) -> None:
    store = open_store(encrypted, passphrase=PASSPHRASE)
    try:
        _inspection, sha = _fill(store)
        path = store.blobs.path_of(sha)
        plain = store.blobs.read(sha)
        sealed = bytearray(path.read_bytes())
        assert store.blobs.verify(sha).status == "ok"
        sealed[200] ^= 1
        path.write_bytes(bytes(sealed))
        assert store.blobs.verify(sha).status == "changed"
        # The same photo sealed under another folder's key does not open here either.
        other = encrypt_folder(tmp_path / "other", PASSPHRASE, scrypt_n=FAST)
        assert BlobStore(tmp_path / "moved", other.key.file_cipher()).put_bytes(plain) == sha
        path.write_bytes((tmp_path / "moved" / sha[:2] / sha).read_bytes())
        assert store.blobs.verify(sha).status == "changed"
    finally:
        store.close()


def test_large_blobs_stream_through_the_cipher_piece_by_piece(encrypted: Path) -> None:
    store = open_store(encrypted, passphrase=PASSPHRASE)
    try:
        data = hashlib.sha256(b"seed").digest() * (3 * crypto.PIECE // 32 + 7)
        sha = store.blobs.put_bytes(data)
        assert sha == hashlib.sha256(data).hexdigest()
        assert store.blobs.size(sha) == len(data)
        assert store.blobs.read(sha) == data
        start, end = crypto.PIECE - 5, 2 * crypto.PIECE + 9  # a range across pieces, as a resumed upload reads
        assert b"".join(store.blobs.read_range(sha, start, end)) == data[start:end]
        with store.blobs.open(sha) as fh:
            assert fh.read() == data
    finally:
        store.close()


def test_a_clear_folder_of_an_earlier_version_is_encrypted_once_with_nothing_lost(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    store = open_store(folder)
    seed_demo(store)
    inspection_id, sha = _fill(store)
    with store.session() as session:
        names = sorted(session.exec(select(Enterprise.name)).all())
        photos = sorted(session.exec(select(Evidence.sha256)).all())
    blobs_before = {h: store.blobs.read(h) for h in store.blobs.all_hashes()}
    store.close()
    assert SECRET_NOTE.encode() in _all_bytes(folder)
    (folder / "backups").mkdir()
    (folder / "backups" / "inspector-0007-old.sqlite").write_bytes((folder / "inspector.sqlite").read_bytes())

    encrypt_folder(folder, PASSPHRASE, scrypt_n=FAST)

    stolen = _all_bytes(folder)
    assert SECRET_NOTE.encode() not in stolen and SECRET_NAME.encode() not in stolen
    assert b"SQLite format 3" not in stolen  # the backup too
    assert not (folder / "derived").exists()  # clear thumbnails are gone; they are made again, sealed
    store = open_store(folder, passphrase=PASSPHRASE)
    try:
        with store.session() as session:
            assert sorted(session.exec(select(Enterprise.name)).all()) == names
            assert sorted(session.exec(select(Evidence.sha256)).all()) == photos
        assert {h: store.blobs.read(h) for h in store.blobs.all_hashes()} == blobs_before
        assert derived_images(store).thumbnail(sha)[:2] == b"\xff\xd8"
        assert inspection_id
    finally:
        store.close()
    with pytest.raises(crypto.CryptoError):
        encrypt_folder(folder, PASSPHRASE, scrypt_n=FAST)  # once only


def test_an_encryption_cut_short_is_finished_at_the_next_open(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    store = open_store(folder)
    _fill(store)
    for seed in range(6):
        store.blobs.put_bytes(sample_photo(size=(64, 48), seed=seed + 10))
    before = {h: store.blobs.read(h) for h in store.blobs.all_hashes()}
    store.close()

    class PowerCutError(Exception):
        pass

    def cut_after_three(done: int, _total: int, _name: str) -> None:
        if done == 3:
            raise PowerCutError

    with pytest.raises(PowerCutError):
        encrypt_folder(folder, PASSPHRASE, scrypt_n=FAST, progress=cut_after_three)
    files = [p for p in (folder / "blobs").rglob("*") if p.is_file()]
    assert sum(crypto.is_sealed(p) for p in files) == 3  # part done: some sealed, some still clear
    store = open_store(folder, passphrase=PASSPHRASE)
    try:
        assert {h: store.blobs.read(h) for h in store.blobs.all_hashes()} == before
        assert all(crypto.is_sealed(p) for p in (folder / "blobs").rglob("*") if p.is_file())
        with store.session() as session:
            assert session.exec(select(Enterprise.name)).all() == [SECRET_NAME]
    finally:
        store.close()
    assert SECRET_NOTE.encode() not in _all_bytes(folder)


def test_a_damaged_keyring_is_named(encrypted: Path) -> None:
    (encrypted / crypto.KEYRING_FILENAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(crypto.CryptoError) as damaged:
        open_store(encrypted, passphrase=PASSPHRASE)
    assert "密钥文件已损坏" in damaged.value.message_zh


@pytest.mark.parametrize("encrypted", [False, True])
def test_a_folder_under_a_chinese_user_name_opens(tmp_path: Path, encrypted: bool) -> None:
    folder = tmp_path / "用户" / "张三" / "执法数据"
    if encrypted:
        encrypt_folder(folder, PASSPHRASE, scrypt_n=FAST)
    store = open_store(folder, passphrase=PASSPHRASE if encrypted else None)
    try:
        _fill(store)
    finally:
        store.close()
    open_store(folder, passphrase=PASSPHRASE if encrypted else None).close()
