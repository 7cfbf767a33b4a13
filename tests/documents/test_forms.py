"""The shipped forms: every kind loads, carries its footer and seal, and names only fields its filler gives."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.documents.fill import fill_fields
from inspector.documents.forms import FORM_FILES, load_form
from inspector.domain.enums import DocumentKind
from inspector.store.db import Store
from tests.documents.conftest import CASE_KINDS, INPUTS, Case, issue, start_review


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_has_a_form(kind: DocumentKind) -> None:
    form = load_form(kind)
    assert form.file == FORM_FILES[kind]
    assert (form.kind, form.version) == (kind, "2026.1")
    assert form.title.startswith(kind.value.split("（")[0])
    assert form.numbered is bool(kind.number_word)
    assert form.sources
    types = [b.type for b in form.blocks]
    assert types.count("seal") == 1
    assert "一式" in form.copies or kind is DocumentKind.SERVICE_RECEIPT


@pytest.mark.parametrize(
    ("kind", "copies"),
    [
        (
            DocumentKind.PENALTY_DECISION_UNIT,
            "本文书一式三份：一份由应急管理部门备案，一份交被处罚单位，一份交收缴罚款的银行。",
        ),
        (
            DocumentKind.PENALTY_DECISION_PERSON,
            "本文书一式三份：一份由应急管理部门备案，一份交被处罚人，一份交收缴罚款的银行。",
        ),
        (DocumentKind.PENALTY_NOTICE, "本文书一式两份：一份由应急管理部门备案，一份交当事人。"),
        (DocumentKind.INQUIRY_NOTICE, "本文书一式两份：一份由应急管理部门备案，一份交被询问人。"),
    ],
)
def test_copy_footers_follow_practice(kind: DocumentKind, copies: str) -> None:
    assert load_form(kind).copies == copies


def test_review_bodies_are_the_county_government_only() -> None:
    """行政复议法 (2023) 第二十四条: a county department's act is reviewed by the county government alone."""
    for kind in DocumentKind:
        form = load_form(kind)
        assert "review_department" not in form.placeholders(), kind


def _list_keys(fields: dict[str, Any]) -> set[str]:
    keys = {"n"}
    for value in fields.values():
        if isinstance(value, list):
            for entry in value:
                keys |= set(entry)
    return keys


def test_every_placeholder_is_filled(store: Store, case: Case) -> None:
    filled: dict[DocumentKind, dict[str, Any]] = {}
    issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)  # the receipt serves issued documents
    with store.session() as session:
        for kind in CASE_KINDS:
            filled[kind] = fill_fields(session, kind, case.inspection_id, dict(INPUTS.get(kind, {})), None)
    review_id = start_review(store, case)
    with store.session() as session:
        filled[DocumentKind.REVIEW_OPINION] = fill_fields(session, DocumentKind.REVIEW_OPINION, review_id, {}, None)
    assert set(filled) == set(DocumentKind)
    for kind, fields in filled.items():
        missing = load_form(kind).placeholders() - set(fields) - _list_keys(fields)
        assert not missing, f"{kind.value}: {sorted(missing)}"
