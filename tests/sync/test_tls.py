"""The office over https: the laptop pins the certificate it enrolled with and refuses any other."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inspector.cli import main
from inspector.office.admin import add_user, enroll_device
from inspector.office.db import default_db_url, open_office_db
from inspector.store.db import open_store
from inspector.sync.client import SyncError, fingerprint, sync_once
from tests.sync.test_faults import _free_port


def make_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class TlsOffice:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, cert: Path, key: Path) -> None:
        cmd = [sys.executable, "-m", "inspector", "--data-dir", str(self.data_dir), "office", "serve"]
        cmd += ["--port", str(self.port), "--cert", str(cert), "--key", str(key)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/docs", timeout=1, verify=False).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the office did not start (exit {self.proc.poll()})")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[TlsOffice]:
    server = TlsOffice(tmp_path / "office-data")
    try:
        yield server
    finally:
        server.stop()


def test_the_laptop_pins_the_enrolment_certificate(
    office: TlsOffice, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, first_key = make_certificate(tmp_path, "office-a")
    impostor, impostor_key = make_certificate(tmp_path, "office-b")
    office.start(first, first_key)
    engine = open_office_db(default_db_url(office.data_dir / "office"))
    try:
        code = enroll_device(engine, add_user(engine, name="王一", role="inspector", county_code="140522"))
    finally:
        engine.dispose()
    laptop = tmp_path / "laptop"
    assert main(["--data-dir", str(laptop), "sync", "--office", office.url, "--code", code, "--name", "a"]) == 0
    err = capsys.readouterr().err
    assert f"office certificate SHA-256 {fingerprint(first.read_text())}" in err
    store = open_store(laptop)
    try:
        sync_once(store)  # the pinned certificate: fine
        office.stop()
        office.start(impostor, impostor_key)  # another server answers at the same address
        with pytest.raises(SyncError) as refused:
            sync_once(store)
        assert refused.value.code == "certificate" and "证书与登记时不一致" in refused.value.message_zh
    finally:
        store.close()


def test_serve_refuses_half_or_missing_tls_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = ["--data-dir", str(tmp_path / "office-data"), "office", "serve"]
    assert main([*folder, "--cert", str(tmp_path / "x.crt")]) == 2
    assert "--cert and --key go together" in capsys.readouterr().err
    assert main([*folder, "--cert", str(tmp_path / "x.crt"), "--key", str(tmp_path / "x.key")]) == 2
    assert "no such file" in capsys.readouterr().err
    not_pem = tmp_path / "x.crt"
    not_pem.write_text("hello")
    (tmp_path / "x.key").write_text("hello")
    assert main([*folder, "--cert", str(not_pem), "--key", str(tmp_path / "x.key")]) == 2
    assert "is not a PEM certificate" in capsys.readouterr().err
