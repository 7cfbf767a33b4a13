"""Workflow rules: allowed status changes, the two-officer rule, overdue findings."""

from __future__ import annotations

from datetime import date

import pytest

from inspector.domain.enums import DocumentKind, DocumentStatus, FindingMeasure, FindingStatus, HazardGrade
from inspector.domain.enums import InspectionStatus as IS  # noqa: N817
from inspector.domain.rules import (
    FINDING_TRANSITIONS,
    check_document_transition,
    check_finding_transition,
    check_inspection_transition,
    check_inspector_count,
    is_overdue,
)
from inspector.errors import TransitionError, ValidationError


def test_inspection_moves_forward_and_can_reopen_until_documents_are_issued() -> None:
    check_inspection_transition(IS.DRAFT, IS.ON_SITE)
    check_inspection_transition(IS.ON_SITE, IS.FINISHED)
    check_inspection_transition(IS.FINISHED, IS.ON_SITE)
    check_inspection_transition(IS.FINISHED, IS.DOCUMENTS_ISSUED)
    with pytest.raises(TransitionError) as err:
        check_inspection_transition(IS.DOCUMENTS_ISSUED, IS.ON_SITE)
    assert "文书已出具" in err.value.message_zh
    with pytest.raises(TransitionError):
        check_inspection_transition(IS.CLOSED, IS.DRAFT)


def test_every_finding_state_has_a_transition_entry() -> None:
    assert set(FINDING_TRANSITIONS) == set(FindingStatus)


def test_general_finding_may_close_after_review_without_on_site_flag() -> None:
    check_finding_transition(FindingStatus.REVIEW_PASSED, FindingStatus.CLOSED, grade=HazardGrade.GENERAL)


def test_major_hazard_closes_only_after_on_site_review() -> None:
    with pytest.raises(TransitionError) as err:
        check_finding_transition(FindingStatus.REVIEW_PASSED, FindingStatus.CLOSED, grade=HazardGrade.MAJOR)
    assert "现场复查" in err.value.message_zh
    check_finding_transition(
        FindingStatus.REVIEW_PASSED, FindingStatus.CLOSED, grade=HazardGrade.MAJOR, reviewed_on_site=True
    )
    # An open major hazard can never be closed directly, even if someone claims a review.
    with pytest.raises(TransitionError):
        check_finding_transition(
            FindingStatus.OPEN, FindingStatus.CLOSED, grade=HazardGrade.MAJOR, reviewed_on_site=True
        )


def test_failed_review_goes_back_to_rectifying() -> None:
    check_finding_transition(FindingStatus.RECTIFYING, FindingStatus.REVIEW_FAILED, grade=HazardGrade.GENERAL)
    check_finding_transition(FindingStatus.REVIEW_FAILED, FindingStatus.RECTIFYING, grade=HazardGrade.GENERAL)
    with pytest.raises(TransitionError):
        check_finding_transition(FindingStatus.CLOSED, FindingStatus.OPEN, grade=HazardGrade.GENERAL)


def test_issued_document_cannot_go_back_to_draft() -> None:
    check_document_transition(DocumentStatus.DRAFT, DocumentStatus.ISSUED)
    check_document_transition(DocumentStatus.ISSUED, DocumentStatus.VOID)
    with pytest.raises(TransitionError):
        check_document_transition(DocumentStatus.ISSUED, DocumentStatus.DRAFT)
    with pytest.raises(TransitionError):
        check_document_transition(DocumentStatus.VOID, DocumentStatus.ISSUED)


@pytest.mark.parametrize(
    ("certs", "ok"),
    [
        (["14052200101", "14052200102"], True),
        (["14052200101", "14052200102", "14052200103"], True),
        (["14052200101"], False),
        (["14052200101", "14052200101"], False),  # the same officer twice is still one officer
        (["14052200101", "  "], False),
        ([], False),
    ],
)
def test_at_least_two_distinct_certified_inspectors(certs: list[str], ok: bool) -> None:
    if ok:
        check_inspector_count(certs)
    else:
        with pytest.raises(ValidationError) as err:
            check_inspector_count(certs)
        assert "不少于2名" in err.value.message_zh


def test_overdue_only_for_open_findings_past_their_deadline() -> None:
    today = date(2024, 6, 10)
    assert is_overdue(date(2024, 6, 9), FindingStatus.OPEN, today)
    assert is_overdue(date(2024, 6, 9), FindingStatus.REVIEW_FAILED, today)
    assert not is_overdue(date(2024, 6, 10), FindingStatus.OPEN, today)  # due today is not late yet
    assert not is_overdue(date(2024, 6, 1), FindingStatus.CLOSED, today)
    assert not is_overdue(date(2024, 6, 1), FindingStatus.REVIEW_PASSED, today)
    assert not is_overdue(None, FindingStatus.OPEN, today)


def test_on_site_measures_are_the_article_65_3_ones() -> None:
    on_site = {m for m in FindingMeasure if m.is_on_site_measure}
    assert on_site == {
        FindingMeasure.WITHDRAW_WORKERS,
        FindingMeasure.SUSPEND_PRODUCTION,
        FindingMeasure.STOP_EQUIPMENT,
    }
    assert not FindingMeasure.CORRECTED_ON_SITE.needs_deadline


def test_document_number_words() -> None:
    assert DocumentKind.RECTIFICATION_ORDER.number_word == "责改"
    assert DocumentKind.INSPECTION_RECORD.number_word == "检记"
    assert DocumentKind.ON_SITE_MEASURES.number_word == "现决"
    assert DocumentKind.REVIEW_OPINION.number_word == "复查"
    assert DocumentKind.SERVICE_RECEIPT.number_word == ""
    assert all(isinstance(kind.number_word, str) for kind in DocumentKind)
