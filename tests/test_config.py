"""Data folder precedence: --data-dir, then INSPECTOR_DATA_DIR, then the platform's user data folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from inspector.config import DATA_DIR_ENV, resolve_data_dir


def test_cli_value_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "cli") == (tmp_path / "cli").resolve()


def test_environment_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert resolve_data_dir(None) == (tmp_path / "env").resolve()


def test_platform_folder_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, "   ")
    assert resolve_data_dir(None) == Path(platformdirs.user_data_dir("Inspector", "YangchengEMB"))
