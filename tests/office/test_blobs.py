"""Blobs: which ones the office lacks, resumable uploads checked against their hash, downloads within scope."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from inspector.office.db import office_blob
from inspector.store.blobs import BlobStore
from tests.office.conftest import COUNTY_B, Office, enterprise, evidence, inspection, new_id


def _offset(office: Office, laptop, sha: str) -> dict:
    r = office.client.get(f"/api/v1/blobs/{sha}/offset", headers=laptop.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _put(office: Office, laptop, sha: str, offset: int, data: bytes | Iterator[bytes]):
    return office.client.put(f"/api/v1/blobs/{sha}", params={"offset": offset}, content=data, headers=laptop.headers)


def test_upload_in_three_chunks_with_a_resume(office: Office) -> None:
    laptop = office.enroll()
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    other = hashlib.sha256(b"other").hexdigest()
    missing = office.client.post("/api/v1/blobs/missing", json={"hashes": [sha, other, sha]}, headers=laptop.headers)
    assert missing.json() == {"hashes": [sha, other]}
    assert _offset(office, laptop, sha) == {"sha256": sha, "offset": 0, "complete": False}

    chunks = [data[:100_000], data[100_000:200_000], data[200_000:]]
    assert _put(office, laptop, sha, 0, chunks[0]).json() == {"sha256": sha, "offset": 100_000, "complete": False}
    # The connection dropped and the client lost track: it sends the third chunk at the wrong place.
    wrong = _put(office, laptop, sha, 200_000, chunks[2])
    assert wrong.status_code == 409 and wrong.json()["code"] == "offset_mismatch"
    assert "100000" in wrong.json()["message"]
    assert _offset(office, laptop, sha)["offset"] == 100_000
    assert _put(office, laptop, sha, 100_000, chunks[1]).json()["offset"] == 200_000
    assert _put(office, laptop, sha, 200_000, chunks[2]).json()["offset"] == 300_000

    done = office.client.post(f"/api/v1/blobs/{sha}/complete", headers=laptop.headers)
    assert done.status_code == 200 and done.json() == {"sha256": sha, "offset": 300_000, "complete": True}
    store = BlobStore(office.blob_dir)
    assert store.path_of(sha).read_bytes() == data and store.verify(sha).status == "ok"
    assert not (office.blob_dir / ".uploads" / f"{sha}.part").exists()
    assert _offset(office, laptop, sha) == {"sha256": sha, "offset": 300_000, "complete": True}
    missing = office.client.post("/api/v1/blobs/missing", json={"hashes": [sha, other]}, headers=laptop.headers)
    assert missing.json() == {"hashes": [other]}
    # Completing (or sending) again is harmless; the uploader may read it back.
    assert office.client.post(f"/api/v1/blobs/{sha}/complete", headers=laptop.headers).json()["complete"]
    assert _put(office, laptop, sha, 0, b"late").json()["complete"]
    got = office.client.get(f"/api/v1/blobs/{sha}", headers=laptop.headers)
    assert got.status_code == 200 and got.content == data


def test_a_body_is_streamed_to_disk(office: Office) -> None:
    laptop = office.enroll()
    pieces = [os.urandom(256 * 1024) for _ in range(10)]  # 2.5 MB in pieces, more than one write buffer
    sha = hashlib.sha256(b"".join(pieces)).hexdigest()
    assert _put(office, laptop, sha, 0, iter(pieces)).json()["offset"] == 10 * 256 * 1024
    assert office.client.post(f"/api/v1/blobs/{sha}/complete", headers=laptop.headers).json()["complete"]


def test_a_hash_mismatch_discards_the_upload(office: Office) -> None:
    laptop = office.enroll()
    claimed = hashlib.sha256(b"the real photo").hexdigest()
    assert _put(office, laptop, claimed, 0, b"something else").status_code == 200
    part = office.blob_dir / ".uploads" / f"{claimed}.part"
    assert part.stat().st_size == len(b"something else")
    r = office.client.post(f"/api/v1/blobs/{claimed}/complete", headers=laptop.headers)
    assert r.status_code == 409 and r.json()["code"] == "hash_mismatch"
    assert not part.exists()
    assert not BlobStore(office.blob_dir).has(claimed)
    assert _offset(office, laptop, claimed) == {"sha256": claimed, "offset": 0, "complete": False}
    # Then the right bytes go up from the start.
    assert laptop.upload(b"the real photo") == claimed


def test_downloads_stay_in_scope(office: Office) -> None:
    uploader = office.enroll(name="王一")
    colleague = office.enroll(name="赵二")
    elsewhere = office.enroll(county=COUNTY_B, name="孙四")
    photo = os.urandom(5000)
    sha = uploader.upload(photo)

    def get(laptop, digest: str = sha):
        return office.client.get(f"/api/v1/blobs/{digest}", headers=laptop.headers)

    # Before any row references it, only the uploader may read it.
    assert get(uploader).status_code == 200
    assert get(colleague).status_code == 404 and get(colleague).json()["code"] == "not_found"
    ent, insp = new_id("ent"), new_id("insp")
    uploader.push([enterprise(ent), inspection(insp, ent), evidence(new_id("ev"), insp, sha)])
    assert get(colleague).content == photo
    r = get(elsewhere)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert get(uploader, hashlib.sha256(b"nothing").hexdigest()).status_code == 404
    bad = office.client.get("/api/v1/blobs/not-a-hash", headers=uploader.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


def test_a_blob_renamed_into_place_before_a_crash_is_recorded_without_a_second_upload(office: Office) -> None:
    from sqlalchemy import select

    from inspector.office.db import office_blob

    laptop = office.enroll()
    data = os.urandom(50_000)
    sha = hashlib.sha256(data).hexdigest()
    # The office died after moving the finished upload into place and before recording it.
    BlobStore(office.blob_dir).put_bytes(data)
    assert office.client.post("/api/v1/blobs/missing", json={"hashes": [sha]}, headers=laptop.headers).json() == {
        "hashes": [sha]
    }
    assert _offset(office, laptop, sha) == {"sha256": sha, "offset": 50_000, "complete": True}
    with office.engine.connect() as conn:
        assert conn.execute(select(office_blob.c.size).where(office_blob.c.sha256 == sha)).scalar_one() == 50_000
    # A damaged leftover is removed instead, and the upload starts from the beginning.
    bad = hashlib.sha256(b"x" * 10).hexdigest()
    path = BlobStore(office.blob_dir).path_of(bad)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"y" * 10)
    assert _offset(office, laptop, bad) == {"sha256": bad, "offset": 0, "complete": False}
    assert not path.exists()


def test_a_whole_blob_in_one_request_and_a_final_chunk_after_a_resume(office: Office) -> None:
    laptop = office.enroll()
    data = os.urandom(120_000)
    sha = hashlib.sha256(data).hexdigest()
    r = office.client.put(
        f"/api/v1/blobs/{sha}", params={"offset": 0, "final": True}, content=data, headers=laptop.headers
    )
    assert r.json() == {"sha256": sha, "offset": 120_000, "complete": True}
    assert BlobStore(office.blob_dir).has(sha)
    # In two parts: the final chunk makes the office hash the whole part it holds.
    other = os.urandom(90_000)
    sha2 = hashlib.sha256(other).hexdigest()
    assert _put(office, laptop, sha2, 0, other[:50_000]).json()["complete"] is False
    r = office.client.put(
        f"/api/v1/blobs/{sha2}",
        params={"offset": 50_000, "final": True},
        content=other[50_000:],
        headers=laptop.headers,
    )
    assert r.json() == {"sha256": sha2, "offset": 90_000, "complete": True}
    # Wrong bytes sent whole: refused and thrown away, nothing kept.
    bad = hashlib.sha256(b"something else").hexdigest()
    r = office.client.put(
        f"/api/v1/blobs/{bad}", params={"offset": 0, "final": True}, content=data, headers=laptop.headers
    )
    assert r.status_code == 409 and r.json()["code"] == "hash_mismatch"
    assert _offset(office, laptop, bad) == {"sha256": bad, "offset": 0, "complete": False}
    assert not BlobStore(office.blob_dir).has(bad)


# ─── packs: many whole blobs in one request ──────────────────────────────────────────────────────────


def _pack_body(blobs: list[bytes], *, sizes: list[int] | None = None) -> bytes:
    manifest = {
        "blobs": [
            {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b) if sizes is None else sizes[n]}
            for n, b in enumerate(blobs)
        ]
    }
    return json.dumps(manifest).encode() + b"\n" + b"".join(blobs)


def _stored_rows(office: Office) -> dict[str, int]:
    with office.engine.connect() as conn:
        return {r.sha256: r.size for r in conn.execute(select(office_blob.c.sha256, office_blob.c.size))}


def test_a_pack_stores_each_blob_and_skips_those_the_office_has(office: Office) -> None:
    laptop = office.enroll()
    blobs = [os.urandom(n) for n in (0, 1, 70_000, 1_500_000, 3_000_001)]  # across write buffers, and empty
    first = office.client.put("/api/v1/blobs/pack", content=_pack_body(blobs[:2]), headers=laptop.headers)
    assert first.status_code == 200, first.text
    pieces = [body[i : i + 65_536] for body in [_pack_body(blobs)] for i in range(0, len(body), 65_536)]
    r = office.client.put("/api/v1/blobs/pack", content=iter(pieces), headers=laptop.headers)
    assert r.status_code == 200, r.text
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    assert [(o["sha256"], o["status"]) for o in r.json()["blobs"]] == [
        (shas[0], "present"),
        (shas[1], "present"),
        (shas[2], "stored"),
        (shas[3], "stored"),
        (shas[4], "stored"),
    ]
    store = BlobStore(office.blob_dir)
    for sha, data in zip(shas, blobs, strict=True):
        assert store.path_of(sha).read_bytes() == data
    assert _stored_rows(office) == {sha: len(b) for sha, b in zip(shas, blobs, strict=True)}
    assert list((office.blob_dir / ".uploads").iterdir()) == []
    missing = office.client.post("/api/v1/blobs/missing", json={"hashes": shas}, headers=laptop.headers)
    assert missing.json() == {"hashes": []}


def test_a_damaged_blob_in_a_pack_is_discarded_and_the_others_kept(office: Office) -> None:
    laptop = office.enroll()
    good, bad, after = os.urandom(10_000), bytearray(os.urandom(20_000)), os.urandom(30_000)
    body = _pack_body([good, bytes(bad), after])
    bad[5] ^= 0xFF  # changed on the way, after the manifest was made
    body = body[: body.index(b"\n") + 1] + good + bytes(bad) + after
    r = office.client.put("/api/v1/blobs/pack", content=body, headers=laptop.headers)
    assert r.status_code == 200, r.text
    assert [o["status"] for o in r.json()["blobs"]] == ["stored", "hash_mismatch", "stored"]
    assert len(_stored_rows(office)) == 2
    assert list((office.blob_dir / ".uploads").iterdir()) == []


def test_a_pack_cut_short_keeps_the_whole_blobs_and_the_part_to_resume(office: Office) -> None:
    laptop = office.enroll()
    blobs = [os.urandom(100_000), os.urandom(200_000), os.urandom(50_000)]
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    body = _pack_body(blobs)
    cut = len(body) - 50_000 - 150_000  # inside the second blob: 50,000 of its bytes arrived
    r = office.client.put("/api/v1/blobs/pack", content=body[:cut], headers=laptop.headers)
    assert r.status_code == 200, r.text
    assert r.json()["blobs"] == [
        {"sha256": shas[0], "status": "stored", "offset": 100_000},
        {"sha256": shas[1], "status": "incomplete", "offset": 50_000},
    ]
    assert set(_stored_rows(office)) == {shas[0]}
    # The second resumes by offset where the pack stopped; the third goes in the next pack.
    assert _offset(office, laptop, shas[1]) == {"sha256": shas[1], "offset": 50_000, "complete": False}
    done = office.client.put(
        f"/api/v1/blobs/{shas[1]}",
        params={"offset": 50_000, "final": True},
        content=blobs[1][50_000:],
        headers=laptop.headers,
    )
    assert done.json()["complete"]
    again = office.client.put("/api/v1/blobs/pack", content=_pack_body(blobs), headers=laptop.headers)
    assert [o["status"] for o in again.json()["blobs"]] == ["present", "present", "stored"]
    assert set(_stored_rows(office)) == set(shas)


def test_a_dropped_connection_mid_pack_keeps_what_arrived_whole(office: Office) -> None:
    from starlette.requests import ClientDisconnect

    from inspector.office.auth import authenticate
    from inspector.office.uploads import BlobUploads

    laptop = office.enroll()
    blobs = [os.urandom(1_200_000), os.urandom(900_000)]
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    body = _pack_body(blobs)
    device = authenticate(office.engine, laptop.token, "testclient")

    async def cut_body() -> AsyncIterator[bytes]:
        yield body[: len(body) - 400_000]  # the first blob whole, 500,000 bytes of the second
        raise ClientDisconnect

    uploads = BlobUploads(office.engine, office.blob_dir)
    with pytest.raises(ClientDisconnect):
        asyncio.run(uploads.receive_pack(cut_body(), device))
    assert set(_stored_rows(office)) == {shas[0]}
    assert BlobStore(office.blob_dir).verify(shas[0]).status == "ok"
    assert _offset(office, laptop, shas[1])["offset"] == 500_000


def test_a_blob_another_upload_holds_is_skipped_as_busy(office: Office) -> None:
    laptop = office.enroll()
    blobs = [os.urandom(10_000), os.urandom(10_000)]
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    uploads_dir = office.blob_dir / ".uploads"
    uploads_dir.mkdir(parents=True, exist_ok=True)
    with (uploads_dir / f"{shas[0]}.part").open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # another server process writes it right now
        r = office.client.put("/api/v1/blobs/pack", content=_pack_body(blobs), headers=laptop.headers)
    assert [o["status"] for o in r.json()["blobs"]] == ["busy", "stored"]
    assert set(_stored_rows(office)) == {shas[1]}


def test_a_malformed_pack_is_refused_and_stores_nothing(office: Office) -> None:
    laptop = office.enroll()
    data = os.urandom(1000)
    sha = hashlib.sha256(data).hexdigest()
    manifest_of = lambda *entries: json.dumps({"blobs": list(entries)}).encode()  # noqa: E731
    bad_bodies = [
        b"",  # nothing
        b"not json\n" + data,
        manifest_of({"sha256": sha, "size": 1000}) + data,  # no newline ends the manifest
        manifest_of() + b"\n",  # no blob
        manifest_of({"sha256": "X" * 64, "size": 1000}) + b"\n" + data,
        manifest_of({"sha256": sha, "size": -1}) + b"\n",
        manifest_of({"sha256": sha, "size": 1000}, {"sha256": sha, "size": 1000}) + b"\n" + data + data,
        manifest_of(*({"sha256": f"{n:064x}", "size": 0} for n in range(257))) + b"\n",
        b" " * (65 * 1024) + b"\n",  # a manifest line beyond its limit
    ]
    for body in bad_bodies:
        r = office.client.put("/api/v1/blobs/pack", content=body, headers=laptop.headers)
        assert r.status_code == 422, (body[:80], r.text)
        assert r.json()["code"] == "bad_pack" and r.json()["message_zh"] == "文件包格式不正确。"
    assert _stored_rows(office) == {}
    no_token = office.client.put("/api/v1/blobs/pack", content=_pack_body([data]))
    assert no_token.status_code == 401
