"""A county of enterprises for the supervisor desk: key, high-risk and general ones, officers and a supervisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from inspector import clock
from inspector.demo.catalog import AGENCY
from inspector.domain.enums import Industry, InspectorRole
from inspector.domain.identifiers import make_credit_code
from inspector.inspections.service import finish_inspection, start_inspection
from inspector.registry.service import register_enterprise, register_inspector
from inspector.store.db import Store
from inspector.store.settings import AGENCY_KEY, set_setting
from tests.conftest import Basics

COUNTY = "140522"
PLAN_YEAR = clock.local_today().year + 1  # every month of it is still ahead


@dataclass(frozen=True)
class County:
    key_ids: list[str]  # 重点监管
    high_risk_ids: list[str]  # risk level A, not key
    general_ids: list[str]  # the rest of the county (the fixture's mine and plant among them)
    other_county_id: str
    officer_ids: list[str]  # three inspectors with 执法证
    supervisor_id: str


@pytest.fixture
def county(store: Store, basics: Basics) -> County:
    with store.session() as session:
        set_setting(session, AGENCY_KEY, AGENCY.as_dict())

        def enterprise(n: int, *, key: bool = False, risk: str = "C", county_code: str = COUNTY) -> str:
            return register_enterprise(
                session,
                name=f"阳城县第{n}测试企业有限公司",
                credit_code=make_credit_code(county_code, f"MA0D{n:04d}"),
                industry=Industry.INDUSTRY_TRADE,
                county_code=county_code,
                township="凤城镇",
                risk_level=risk,
                is_key=key,
            ).id

        key_ids = [enterprise(1, key=True, risk="B"), enterprise(2, key=True, risk="A")]
        high_risk_ids = [enterprise(3, risk="A"), enterprise(4, risk="a")]
        general = [enterprise(n, risk="B" if n % 2 else "C") for n in range(5, 15)]
        other = enterprise(99, key=True, county_code="140521")
        supervisor = register_inspector(
            session, name="李审核", cert_no="14052200101", unit="阳城县应急管理局", county_code=COUNTY,
            role=InspectorRole.SUPERVISOR,
        )  # fmt: skip
        return County(
            key_ids=key_ids,
            high_risk_ids=high_risk_ids,
            general_ids=sorted([basics.mine_id, basics.plant_id, *general]),
            other_county_id=other,
            officer_ids=list(basics.inspector_ids),
            supervisor_id=supervisor.id,
        )


def inspect(session: Session, county: County, enterprise_id: str, started: datetime, *, finish: bool = True) -> str:
    """An inspection of the enterprise by two officers, started (and finished an hour later) at `started`."""
    inspection = start_inspection(
        session, enterprise_id=enterprise_id, inspector_ids=county.officer_ids[:2], started_at=started
    )
    if finish:
        finish_inspection(session, inspection_id=inspection.id, ended_at=started + timedelta(hours=1))
    return inspection.id


def in_month(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 2, 0, tzinfo=UTC)  # 10:00 in 阳城
