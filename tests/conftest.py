"""Shared fixtures: offscreen Qt, a fresh migrated data folder per test, two enterprises and three inspectors."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from inspector.domain.enums import Industry
from inspector.domain.identifiers import make_credit_code
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import add_photo, link_evidence
from inspector.registry.service import register_enterprise, register_inspector
from inspector.store.db import Store, open_store


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    # Never fall back to the real user data folder from a test.
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened = open_store(data_dir)
    try:
        yield opened
    finally:
        opened.close()


@dataclass(frozen=True)
class Basics:
    mine_id: str
    plant_id: str
    inspector_ids: list[str]


@pytest.fixture
def basics(store: Store) -> Basics:
    with store.session() as session:
        mine = register_enterprise(
            session,
            name="阳城县测试煤业有限公司",
            credit_code=make_credit_code("140522", "MA0TEXT1"),
            industry=Industry.COAL,
            county_code="140522",
            address="山西省晋城市阳城县北留镇",
            township="北留镇",
            legal_representative="张三",
        )
        plant = register_enterprise(
            session,
            name="阳城县测试化工有限公司",
            credit_code=make_credit_code("140522", "MA0TEXT2"),
            industry=Industry.HAZARDOUS_CHEMICALS,
            county_code="140522",
            address="山西省晋城市阳城县凤城镇100%路_1号",
            township="凤城镇",
            legal_representative="李四",
        )
        inspectors = [
            register_inspector(session, name=n, cert_no=c, unit="阳城县应急管理局", county_code="140522")
            for n, c in (("王一", "14052200901"), ("赵二", "14052200902"), ("钱三", "14052200903"))
        ]
        return Basics(mine.id, plant.id, [i.id for i in inspectors])


@functools.cache
def _small_photo(seed: int) -> bytes:
    return sample_photo(size=(320, 240), seed=seed)


def photograph(session: Session, store: Store, *, inspection_id: str, finding_id: str, seed: int = 0) -> str:
    """Link a small photo to a finding (a 重大事故隐患 needs one before its inspection can finish)."""
    evidence = add_photo(session, store, inspection_id, _small_photo(seed), name=f"IMG_{seed}.jpg")
    link_evidence(session, evidence_id=evidence.id, finding_id=finding_id)
    return evidence.id
