"""Review of decisions: a decision is issued only once a supervisor approved it; every step is audited."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from inspector.documents.review import approve, documents_awaiting_review, return_with_comment, submit_for_review
from inspector.documents.service import create_draft, issue_document, set_inputs
from inspector.domain.enums import DocumentKind, DocumentStatus, ReviewStatus
from inspector.errors import TransitionError, ValidationError
from inspector.store.audit import RECORD_ACTIONS
from inspector.store.db import Store
from inspector.store.models import AuditEvent, Document
from tests.conftest import Basics
from tests.documents.conftest import INPUTS, ISSUED_AT, build_case, issue, supervisor_id

SERVICE_EVENT = col(AuditEvent.action).not_in(RECORD_ACTIONS)  # not the store's own record events


@pytest.fixture
def measures(store: Store, basics: Basics) -> str:
    """A draft 现场处理措施决定书 of a finished inspection whose 现场检查记录 is issued."""
    case = build_case(store, basics)
    issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)
    with store.session() as session:
        return create_draft(session, kind=DocumentKind.ON_SITE_MEASURES, inspection_id=case.inspection_id).id


def _issue(store: Store, document_id: str) -> Document:
    with store.session() as session:
        return issue_document(session, store, document_id=document_id, issued_at=ISSUED_AT)


def _refused(store: Store, document_id: str) -> TransitionError:
    with pytest.raises(TransitionError) as err:
        _issue(store, document_id)
    assert err.value.code == "needs_approval"
    with store.session() as session:
        document = session.get(Document, document_id)
        assert document is not None and document.status is DocumentStatus.DRAFT and not document.number_text
    return err.value


def _events(store: Store, document_id: str) -> list[AuditEvent]:
    with store.session() as session:
        mine = select(AuditEvent).where(AuditEvent.record_id == document_id, SERVICE_EVENT)
        return list(session.exec(mine.order_by(col(AuditEvent.seq))))


def test_the_decisions_need_review_and_the_other_kinds_do_not() -> None:
    assert {k for k in DocumentKind if k.needs_review} == {
        DocumentKind.ON_SITE_MEASURES,
        DocumentKind.COERCIVE_MEASURES,
        DocumentKind.PENALTY_DECISION_UNIT,
        DocumentKind.PENALTY_DECISION_PERSON,
    }


def test_a_measures_decision_is_issued_only_after_approval(store: Store, basics: Basics, measures: str) -> None:
    officer = basics.inspector_ids[0]
    first = _refused(store, measures)
    assert "须先提交审核" in first.message_zh and "approval" in first.message_en
    with store.session() as session:
        submitted = submit_for_review(session, measures, officer)
        assert submitted.review_status == ReviewStatus.PENDING and submitted.review_submitted_at is not None
    assert "正在等待审核" in _refused(store, measures).message_zh
    with store.session() as session:
        approved = approve(session, measures, supervisor_id(session), comment="同意")
        assert approved.reviewed_by_id == supervisor_id(session) and approved.reviewed_at is not None
    issued = _issue(store, measures)
    assert issued.status is DocumentStatus.ISSUED and issued.number_text == "（阳）应急现决〔2024〕1号"
    assert issued.review_status == ReviewStatus.APPROVED and issued.review_comment == "同意"


def test_returned_with_a_comment_corrected_and_approved(store: Store, basics: Basics, measures: str) -> None:
    officer = basics.inspector_ids[1]
    with store.session() as session:
        boss = supervisor_id(session)
        submit_for_review(session, measures, officer)
        with pytest.raises(ValidationError):
            return_with_comment(session, measures, boss, "  ")  # a return says why
        returned = return_with_comment(session, measures, boss, "停止使用的设备名称写具体")
        assert returned.review_status == ReviewStatus.RETURNED
        with pytest.raises(TransitionError):  # only a submitted draft is approved
            approve(session, measures, boss)
    refused = _refused(store, measures)
    assert "已被审核人退回（意见：停止使用的设备名称写具体）" in refused.message_zh
    with store.session() as session:
        submit_for_review(session, measures, officer)
        [waiting] = documents_awaiting_review(session)
        assert waiting.document_id == measures and waiting.comment == "停止使用的设备名称写具体"
        assert waiting.kind == "现场处理措施决定书" and waiting.to_json()["submitted_at"]
        with pytest.raises(TransitionError):  # already waiting
            submit_for_review(session, measures, officer)
        approve(session, measures, boss)
        assert documents_awaiting_review(session) == []
    assert _issue(store, measures).status is DocumentStatus.ISSUED

    events = _events(store, measures)
    assert [e.action for e in events] == ["submit_for_review", "return", "submit_for_review", "approve"]
    assert [e.actor for e in events] == [officer, boss, officer, boss]
    assert {e.table_name for e in events} == {"document"}
    assert events[1].old_values == {"review_status": "待审核", "review_comment": "", "reviewed_by_id": None}
    assert events[1].new_values == {
        "review_status": "已退回",
        "review_comment": "停止使用的设备名称写具体",
        "reviewed_by_id": boss,
    }
    assert events[3].new_values is not None and events[3].new_values["review_status"] == "已批准"
    assert all(e.at is not None and e.device_id == store.device_id for e in events)
    assert all(e.hash and e.prev_hash for e in events)  # chained (tests/store/test_audit_chain.py checks the chain)


def test_only_a_supervisor_reviews(store: Store, basics: Basics, measures: str) -> None:
    with store.session() as session:
        submit_for_review(session, measures, basics.inspector_ids[0])
        for act in (
            lambda: approve(session, measures, basics.inspector_ids[1]),
            lambda: return_with_comment(session, measures, basics.inspector_ids[1], "不同意"),
        ):
            with pytest.raises(ValidationError) as err:
                act()
            assert err.value.code == "not_supervisor" and "只有审核人" in err.value.message_zh
        with pytest.raises(ValidationError):
            approve(session, measures, "no-such-inspector")
        document = session.get(Document, measures)
        assert document is not None and document.review_status == ReviewStatus.PENDING
    assert [e.action for e in _events(store, measures)] == ["submit_for_review"]  # refusals leave no trace


def test_kinds_without_review_and_issued_documents_are_not_reviewed(store: Store, basics: Basics) -> None:
    case = build_case(store, basics)
    record = issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)  # issued without review
    with store.session() as session:
        order = create_draft(session, kind=DocumentKind.RECTIFICATION_ORDER, inspection_id=case.inspection_id)
        with pytest.raises(ValidationError) as err:
            submit_for_review(session, order.id, basics.inspector_ids[0])
        assert "无需审核" in err.value.message_zh
    decision = issue(store, DocumentKind.PENALTY_DECISION_UNIT, case.inspection_id)  # approved, then issued
    with store.session() as session:
        with pytest.raises(TransitionError):
            approve(session, decision.id, supervisor_id(session))
        assert session.get(Document, record.id).review_status == ""  # type: ignore[union-attr]


def test_changing_an_approved_draft_sends_it_back_for_review(store: Store, basics: Basics) -> None:
    case = build_case(store, basics)
    inputs = dict(INPUTS[DocumentKind.PENALTY_DECISION_UNIT])
    with store.session() as session:
        draft = create_draft(session, kind=DocumentKind.PENALTY_DECISION_UNIT, inspection_id=case.inspection_id)
        set_inputs(session, document_id=draft.id, inputs=inputs)
        submit_for_review(session, draft.id, basics.inspector_ids[0])
        approve(session, draft.id, supervisor_id(session))
        set_inputs(session, document_id=draft.id, inputs=inputs)  # the same values: still approved
        assert session.get(Document, draft.id).review_status == ReviewStatus.APPROVED  # type: ignore[union-attr]
        set_inputs(session, document_id=draft.id, inputs={**inputs, "amount": "30000"})
        assert session.get(Document, draft.id).review_status == ""  # type: ignore[union-attr]
    assert "须先提交审核" in _refused(store, draft.id).message_zh
    assert [e.action for e in _events(store, draft.id)] == ["submit_for_review", "approve", "review_reset"]
