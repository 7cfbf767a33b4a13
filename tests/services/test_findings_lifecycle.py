"""After the visit: editing findings, 挂牌督办, rectifying, 复查 on site and 销号."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from inspector.domain.enums import FindingMeasure, FindingStatus, HazardGrade, InspectionMode, InspectionStatus
from inspector.errors import TransitionError, ValidationError
from inspector.inspections import findings as fs
from inspector.inspections.service import add_finding, finish_inspection, start_inspection
from inspector.store.db import Store
from inspector.store.models import Finding, Inspection
from tests.conftest import Basics, photograph

ARRIVAL = datetime(2024, 5, 6, 1, 30, tzinfo=UTC)


@pytest.fixture
def finished(store: Store, basics: Basics) -> dict[str, str]:
    with store.session() as session:
        inspection = start_inspection(
            session, enterprise_id=basics.mine_id, inspector_ids=basics.inspector_ids[:2], started_at=ARRIVAL
        )
        major = add_finding(
            session,
            inspection_id=inspection.id,
            description="风电闭锁装置失效",
            grade=HazardGrade.MAJOR,
            measure=FindingMeasure.WITHDRAW_WORKERS,
            deadline=date(2024, 5, 13),
        )
        general = add_finding(
            session, inspection_id=inspection.id, description="培训档案不全", deadline=date(2024, 5, 20)
        )
        photograph(session, store, inspection_id=inspection.id, finding_id=major.id)
        finish_inspection(session, inspection_id=inspection.id, ended_at=ARRIVAL + timedelta(hours=3))
    return {"inspection": inspection.id, "major": major.id, "general": general.id}


def _get(store: Store, finding_id: str) -> Finding:
    with store.session() as session:
        finding = session.get(Finding, finding_id)
        assert finding is not None
        return finding


def test_edit_wording_after_finishing_but_not_after_documents(store: Store, finished: dict[str, str]) -> None:
    with store.session() as session:
        fs.update_finding(session, finding_id=finished["general"], description="抽查6名新员工培训档案无考核记录")
    assert _get(store, finished["general"]).description == "抽查6名新员工培训档案无考核记录"
    with store.session() as session:
        inspection = session.get(Inspection, finished["inspection"])
        assert inspection is not None
        inspection.status = InspectionStatus.DOCUMENTS_ISSUED
        session.add(inspection)
    with pytest.raises(TransitionError) as err, store.session() as session:
        fs.update_finding(session, finding_id=finished["general"], description="改")
    assert "已出具文书" in err.value.message_zh
    with pytest.raises(TransitionError), store.session() as session:
        fs.delete_finding(session, finding_id=finished["general"])


def test_corrected_on_site_closes_and_undoing_reopens(store: Store, finished: dict[str, str]) -> None:
    with store.session() as session:
        fs.update_finding(
            session, finding_id=finished["general"], measure=FindingMeasure.CORRECTED_ON_SITE, clear_deadline=True
        )
    assert _get(store, finished["general"]).status is FindingStatus.CLOSED
    with pytest.raises(ValidationError), store.session() as session:
        fs.update_finding(session, finding_id=finished["general"], measure=FindingMeasure.RECTIFY_BY_DEADLINE)
    with store.session() as session:
        fs.update_finding(
            session,
            finding_id=finished["general"],
            measure=FindingMeasure.RECTIFY_BY_DEADLINE,
            deadline=date(2024, 5, 30),
        )
    reopened = _get(store, finished["general"])
    assert reopened.status is FindingStatus.OPEN and reopened.closed_at is None
    with pytest.raises(ValidationError), store.session() as session:
        fs.update_finding(session, finding_id=finished["major"], measure=FindingMeasure.CORRECTED_ON_SITE)


def test_supervision_only_for_major_hazards(store: Store, finished: dict[str, str]) -> None:
    with pytest.raises(ValidationError), store.session() as session:
        fs.supervise(session, finding_id=finished["general"], by="县安委办", since=date(2024, 5, 6))
    with pytest.raises(ValidationError), store.session() as session:
        fs.supervise(session, finding_id=finished["major"], by="  ", since=date(2024, 5, 6))
    with store.session() as session:
        fs.supervise(session, finding_id=finished["major"], by="阳城县安委办", since=date(2024, 5, 7))
    major = _get(store, finished["major"])
    assert (major.supervised_by, major.supervised_since) == ("阳城县安委办", date(2024, 5, 7))


def test_major_hazard_cannot_be_closed_on_paper(store: Store, finished: dict[str, str]) -> None:
    with store.session() as session:
        fs.start_rectifying(session, finding_id=finished["major"])
    with pytest.raises(TransitionError), store.session() as session:
        fs.close_finding(session, finding_id=finished["major"])
    assert _get(store, finished["major"]).status is FindingStatus.RECTIFYING


def test_review_on_site_passes_one_fails_other(store: Store, finished: dict[str, str], basics: Basics) -> None:
    with store.session() as session:
        review = fs.start_review_inspection(
            session,
            of_inspection_id=finished["inspection"],
            inspector_ids=basics.inspector_ids[1:3],
            started_at=ARRIVAL + timedelta(days=8),
        )
        assert review.mode is InspectionMode.REVIEW and review.review_of_inspection_id == finished["inspection"]
        assert {f.id for f in fs.open_findings_of(session, finished["inspection"])} == {
            finished["major"],
            finished["general"],
        }
        fs.review_finding(
            session, review_inspection_id=review.id, finding_id=finished["major"], passed=True, note="已恢复闭锁功能"
        )
        fs.review_finding(session, review_inspection_id=review.id, finding_id=finished["general"], passed=False)
        review_id = review.id
    major, general = _get(store, finished["major"]), _get(store, finished["general"])
    assert major.status is FindingStatus.CLOSED and major.review_inspection_id == review_id
    assert major.review_note == "已恢复闭锁功能" and major.closed_at is not None
    assert general.status is FindingStatus.REVIEW_FAILED
    with store.session() as session:
        assert [f.id for f in fs.open_findings_of(session, finished["inspection"])] == [finished["general"]]
        # Back to work, then a second 复查 can pass it.
        fs.start_rectifying(session, finding_id=finished["general"])


def test_review_must_be_of_the_findings_inspection(store: Store, finished: dict[str, str], basics: Basics) -> None:
    with store.session() as session:
        other = start_inspection(session, enterprise_id=basics.plant_id, inspector_ids=basics.inspector_ids[:2])
        add_finding(session, inspection_id=other.id, description="x", deadline=date.today() + timedelta(days=3))
        review = fs.start_review_inspection(session, of_inspection_id=other.id, inspector_ids=basics.inspector_ids[:2])
    with pytest.raises(ValidationError), store.session() as session:
        fs.review_finding(session, review_inspection_id=review.id, finding_id=finished["major"], passed=True)
    with pytest.raises(ValidationError), store.session() as session:
        # An ordinary inspection is not a 复查.
        fs.review_finding(session, review_inspection_id=other.id, finding_id=finished["major"], passed=True)


def test_no_review_without_open_findings(store: Store, basics: Basics) -> None:
    with store.session() as session:
        clean = start_inspection(session, enterprise_id=basics.plant_id, inspector_ids=basics.inspector_ids[:2])
    with pytest.raises(ValidationError) as err, store.session() as session:
        fs.start_review_inspection(session, of_inspection_id=clean.id, inspector_ids=basics.inspector_ids[:2])
    assert "没有需要复查" in err.value.message_zh
