"""Where the data folder is: --data-dir, then INSPECTOR_DATA_DIR, then the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "INSPECTOR_DATA_DIR"
APP_NAME = "Inspector"
APP_AUTHOR = "YangchengEMB"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
