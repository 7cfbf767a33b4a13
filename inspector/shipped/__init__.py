"""The content shipped with the app (checklists, question banks), brought into a data folder's database."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from inspector.checklists.files import builtin_checklist_paths
from inspector.checklists.service import install_builtin_checklists
from inspector.quiz.bank_service import install_builtin_banks
from inspector.quiz.banks import builtin_bank_paths
from inspector.store.settings import get_setting, set_setting

STAMP_KEY = "shipped_content_sha256"


def shipped_stamp() -> str:
    """A hash of every shipped file: reading them is cheap, parsing them is not."""
    digest = hashlib.sha256()
    for path in [*builtin_checklist_paths(), *builtin_bank_paths()]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def install_shipped_content(session: Session) -> int:
    """New revisions of the shipped checklists and banks; skipped at once when the files are unchanged."""
    stamp = shipped_stamp()
    if get_setting(session, STAMP_KEY) == stamp:
        return 0
    checklists = install_builtin_checklists(session)
    banks = install_builtin_banks(session)
    set_setting(session, STAMP_KEY, stamp)
    return sum(r.created for r in checklists) + sum(r.created for r in banks)
