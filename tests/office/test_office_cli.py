"""`inspector office …`: users, one-time codes, devices, and serve (uvicorn on the data folder's office database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from inspector.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_users_codes_and_devices(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data_dir)]
    code, user_id, _ = run(capsys, *d, "office", "add-user", "王一", "--role", "inspector", "--county", "140522")
    assert code == 0 and len(user_id) == 36
    assert (data_dir / "office" / "office.sqlite").is_file()
    code, one_time, err = run(capsys, *d, "office", "enroll-device", user_id, "--valid-hours", "2")
    assert code == 0 and len(one_time.replace("-", "")) >= 8 and "2 hours" in err
    assert run(capsys, *d, "office", "devices", "--json") == (0, "[]", "")

    from inspector.office.app import create_app

    app = create_app(f"sqlite:///{data_dir / 'office' / 'office.sqlite'}", data_dir / "office" / "blobs")
    with TestClient(app) as client:
        enrolled = client.post("/api/v1/enroll", json={"code": one_time, "device_name": "T14"}).json()
        headers = {"Authorization": f"Bearer {enrolled['token']}"}
        assert client.get("/api/v1/pull", headers=headers).status_code == 200

        code, out, _ = run(capsys, *d, "office", "devices", "--json")
        devices = json.loads(out)
        assert [(x["id"], x["name"], x["user_name"], x["revoked"]) for x in devices] == [
            (enrolled["device_id"], "T14", "王一", False)
        ]
        code, out, _ = run(capsys, *d, "office", "devices")
        assert enrolled["device_id"] in out and "active" in out

        assert run(capsys, *d, "office", "revoke-device", enrolled["device_id"])[0] == 0
        assert client.get("/api/v1/pull", headers=headers).status_code == 401
        code, out, _ = run(capsys, *d, "office", "devices")
        assert "REVOKED" in out


def test_errors_are_one_line(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data_dir)]
    code, _, err = run(capsys, *d, "office", "add-user", "王一", "--role", "inspector", "--county", "14")
    assert code == 2 and err.strip() == "inspector: error: A county code has 6 digits, not '14'."
    code, _, err = run(capsys, *d, "office", "revoke-device", "nope")
    assert code == 2 and "No device nope" in err
    code, _, err = run(capsys, *d, "office", "devices", "--db", "mysql://x/y")
    assert code == 2 and "SQLite or PostgreSQL" in err
    code, _, err = run(capsys, *d, "office", "close-year", "--year", "2999")
    assert code == 2 and err.strip() == (
        "inspector: error: The year 2999 is not over yet; unused case numbers are returned after it ends."
    )
    code, out, _ = run(capsys, *d, "office", "close-year", "--year", "2020", "--json")
    assert code == 0 and '"reserved": 0' in out and '"returned": 0' in out


def test_serve_runs_uvicorn_on_the_data_folder(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        served.update(kwargs, app=app)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    blobs = tmp_path / "blob-folder"
    code = main(["--data-dir", str(data_dir), "office", "serve", "--port", "9911", "--blob-dir", str(blobs)])
    assert code == 0
    assert (served["host"], served["port"]) == ("127.0.0.1", 9911)
    with TestClient(served["app"]) as client:
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
        assert {"/api/v1/push", "/api/v1/pull", "/api/v1/blobs/{sha256}", "/api/v1/numbers"} <= set(spec["paths"])
    assert served["app"].state.office.uploads.store.root == blobs
    assert (data_dir / "office" / "office.sqlite").is_file()
