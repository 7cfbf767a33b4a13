"""Editing evidence: links to items and findings, order, captions, annotations, removal, and the freeze after 文书."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from inspector.checklists.schema import parse_checklist_text
from inspector.checklists.service import import_definition
from inspector.domain.enums import InspectionStatus
from inspector.errors import TransitionError, ValidationError
from inspector.evidence.annotations import MAX_ANNOTATIONS, parse_annotations
from inspector.evidence.service import (
    MAX_CAPTION,
    ingest_photos,
    link_evidence,
    list_evidence,
    move_evidence,
    remove_evidence,
    set_annotations,
    set_caption,
    unlink_evidence,
)
from inspector.inspections.service import add_finding, start_inspection
from inspector.store.db import Store
from inspector.store.models import ChecklistItem, Evidence, EvidenceLink, QuizSession
from tests.conftest import Basics
from tests.evidence.conftest import ARRIVAL, set_status, start, write_photo

CHECKLIST = """
[checklist]
code = "{code}"
revision = 1
title = "小检查表"
industry = "煤矿"
sources = ["《测试标准》（测试〔2024〕1号）"]

[[sections]]
code = "{code}-01"
title = "第一节"

[[sections.items]]
code = "{code}-01-01"
content = "瓦斯检查应当按规定进行"
method = "查阅瓦斯检查记录"
basis = "《测试标准》第一条"
grade = "一般隐患"

[[sections.items]]
code = "{code}-01-02"
content = "培训档案应当完整"
method = "抽查培训档案"
basis = "《测试标准》第二条"
grade = "一般隐患"
"""

RECT = {"kind": "rect", "x1": 0.1, "y1": 0.2, "x2": 0.5, "y2": 0.6}


@dataclass(frozen=True)
class Site:
    inspection_id: str
    photo_ids: list[str]
    item_ids: list[str]  # on this inspection's checklist
    other_item_id: str  # on another checklist
    finding_id: str
    other_finding_id: str  # of another inspection


@pytest.fixture
def site(store: Store, basics: Basics, tmp_path: Path) -> Site:
    with store.session() as session:
        mine = import_definition(session, parse_checklist_text(CHECKLIST.format(code="mini"))).template_id
        other = import_definition(session, parse_checklist_text(CHECKLIST.format(code="other"))).template_id
        inspection = start_inspection(
            session,
            enterprise_id=basics.mine_id,
            inspector_ids=basics.inspector_ids[:2],
            started_at=ARRIVAL,
            checklist_template_id=mine,
        )
        items = session.exec(select(ChecklistItem).where(ChecklistItem.template_id == mine)).all()
        other_item = session.exec(select(ChecklistItem).where(ChecklistItem.template_id == other)).first()
        assert other_item is not None
        finding = add_finding(
            session, inspection_id=inspection.id, description="配电箱未接地", deadline=date(2026, 12, 28)
        )
    other_inspection = start(store, basics, enterprise_id=basics.plant_id)
    with store.session() as session:
        other_finding = add_finding(
            session, inspection_id=other_inspection, description="液氨储罐未设报警", deadline=date(2026, 12, 28)
        )
    paths = [write_photo(tmp_path / f"IMG_{i}.jpg", seed=i) for i in range(3)]
    photo_ids = ingest_photos(store, inspection.id, paths).added
    assert len(photo_ids) == 3
    return Site(
        inspection.id,
        photo_ids,
        sorted((i.id for i in items), key=lambda i: next(x.code for x in items if x.id == i)),
        other_item.id,
        finding.id,
        other_finding.id,
    )


def _links(store: Store, evidence_id: str) -> list[EvidenceLink]:
    with store.session() as session:
        return list(session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id)))


def _evidence(store: Store, evidence_id: str) -> Evidence:
    with store.session() as session:
        evidence = session.get(Evidence, evidence_id)
    assert evidence is not None
    return evidence


def test_links_filter_the_list(store: Store, site: Site) -> None:
    """list_evidence with item_id or finding_id gives only the photos linked there, with their codes."""
    a, b, c = site.photo_ids
    with store.session() as session:
        link_evidence(session, evidence_id=a, item_id=site.item_ids[0])
        link_evidence(session, evidence_id=c, item_id=site.item_ids[0])
        link_evidence(session, evidence_id=b, finding_id=site.finding_id)
        link_evidence(session, evidence_id=c, finding_id=site.finding_id)
    with store.session() as session:
        assert [r.id for r in list_evidence(session, site.inspection_id)] == [a, b, c]
        by_item = list_evidence(session, site.inspection_id, item_id=site.item_ids[0])
        by_finding = list_evidence(session, site.inspection_id, finding_id=site.finding_id)
        assert list_evidence(session, site.inspection_id, item_id=site.item_ids[1]) == []
    assert [r.id for r in by_item] == [a, c]
    assert by_item[0].item_codes == ("mini-01-01",) and by_item[0].finding_ids == ()
    assert [r.id for r in by_finding] == [b, c]
    assert by_finding[1].item_ids == (site.item_ids[0],) and by_finding[1].finding_ids == (site.finding_id,)


def test_a_link_is_made_once(store: Store, site: Site) -> None:
    """Linking the same photo to the same item again returns the existing link."""
    with store.session() as session:
        first = link_evidence(session, evidence_id=site.photo_ids[0], item_id=site.item_ids[0])
    with store.session() as session:
        second = link_evidence(session, evidence_id=site.photo_ids[0], item_id=site.item_ids[0])
    assert second.id == first.id and len(_links(store, site.photo_ids[0])) == 1


def test_links_outside_the_inspection_are_refused(store: Store, site: Site) -> None:
    """An item of another checklist, a finding of another inspection, or neither/both are refused."""
    photo = site.photo_ids[0]
    bad: list[dict[str, Any]] = [
        {"item_id": site.other_item_id},
        {"finding_id": site.other_finding_id},
        {"item_id": "0" * 32},
        {},
        {"item_id": site.item_ids[0], "finding_id": site.finding_id},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError), store.session() as session:
            link_evidence(session, evidence_id=photo, **kwargs)
    assert _links(store, photo) == []


def test_unlink_removes_only_that_link(store: Store, site: Site) -> None:
    """Unlinking an item keeps the photo's other links."""
    photo = site.photo_ids[0]
    with store.session() as session:
        link_evidence(session, evidence_id=photo, item_id=site.item_ids[0])
        link_evidence(session, evidence_id=photo, item_id=site.item_ids[1])
        link_evidence(session, evidence_id=photo, finding_id=site.finding_id)
    with store.session() as session:
        unlink_evidence(session, evidence_id=photo, item_id=site.item_ids[0])
    with store.session() as session:
        (row,) = [r for r in list_evidence(session, site.inspection_id) if r.id == photo]
    assert row.item_ids == (site.item_ids[1],) and row.finding_ids == (site.finding_id,)


def test_unlink_without_an_item_or_finding_removes_nothing(store: Store, site: Site) -> None:
    """A call naming no target (refused or ignored, either is fine) must not drop the photo's item links."""
    photo = site.photo_ids[0]
    with store.session() as session:
        link_evidence(session, evidence_id=photo, item_id=site.item_ids[0])
        link_evidence(session, evidence_id=photo, item_id=site.item_ids[1])
    with contextlib.suppress(ValidationError), store.session() as session:
        unlink_evidence(session, evidence_id=photo)
    assert len(_links(store, photo)) == 2


def test_move_renumbers_positions(store: Store, site: Site) -> None:
    """Moving a photo gives positions 1..n in the new order; an index past either end is clamped."""
    a, b, c = site.photo_ids
    with store.session() as session:
        assert move_evidence(session, evidence_id=c, to_index=0) == [c, a, b]
    with store.session() as session:
        assert [(r.id, r.position) for r in list_evidence(session, site.inspection_id)] == [(c, 1), (a, 2), (b, 3)]
        assert move_evidence(session, evidence_id=c, to_index=99) == [a, b, c]
        assert move_evidence(session, evidence_id=b, to_index=-5) == [b, a, c]
    with store.session() as session:
        assert [(r.id, r.position) for r in list_evidence(session, site.inspection_id)] == [(b, 1), (a, 2), (c, 3)]


def test_a_new_photo_goes_after_the_last(store: Store, site: Site, tmp_path: Path) -> None:
    """After reordering, the next photo takes the next position."""
    with store.session() as session:
        move_evidence(session, evidence_id=site.photo_ids[2], to_index=0)
    (new,) = ingest_photos(store, site.inspection_id, [write_photo(tmp_path / "IMG_9.jpg", seed=9)]).added
    assert _evidence(store, new).position == 4


def test_caption_is_trimmed_and_limited(store: Store, site: Site) -> None:
    """A caption is stored trimmed; one longer than 500 characters is refused and the old one kept."""
    photo = site.photo_ids[0]
    with store.session() as session:
        set_caption(session, evidence_id=photo, caption="  配电箱门未关闭  \n")
    assert _evidence(store, photo).caption == "配电箱门未关闭"
    with store.session() as session:
        set_caption(session, evidence_id=photo, caption=" " + "字" * MAX_CAPTION + " ")
    assert len(_evidence(store, photo).caption) == MAX_CAPTION
    with pytest.raises(ValidationError) as err, store.session() as session:
        set_caption(session, evidence_id=photo, caption="字" * (MAX_CAPTION + 1))
    assert "500" in err.value.message_zh
    assert len(_evidence(store, photo).caption) == MAX_CAPTION


def test_annotations_are_stored_normalised(store: Store, site: Site) -> None:
    """Valid annotations are stored as data: colour upper-cased, text trimmed, text end point defaulted."""
    photo = site.photo_ids[0]
    with store.session() as session:
        set_annotations(
            session,
            evidence_id=photo,
            annotations=[RECT, {"kind": "text", "x1": 0.3, "y1": 0.4, "text": " 未接地 ", "color": "#00ff00"}],
        )
    stored = _evidence(store, photo).annotations
    assert stored[0] == {**RECT, "text": "", "color": "#E53935"}
    assert stored[1] == {
        "kind": "text",
        "x1": 0.3,
        "y1": 0.4,
        "x2": 0.0,
        "y2": 0.0,
        "text": "未接地",
        "color": "#00FF00",
    }


BAD_ANNOTATIONS: dict[str, tuple[Any, str]] = {
    "kind": ([{**RECT, "kind": "star"}], "未知的标注类型"),
    "x-over-1": ([{**RECT, "x2": 1.2}], "超出照片范围"),
    "y-below-0": ([{**RECT, "y1": -0.1}], "超出照片范围"),
    "string-coord": ([{**RECT, "x1": "0.5"}], "超出照片范围"),
    "bool-coord": ([{**RECT, "x1": True}], "超出照片范围"),
    "empty-text": ([{"kind": "text", "x1": 0.1, "y1": 0.1, "text": "   "}], "文字标注不能为空"),
    "long-text": ([{**RECT, "text": "字" * 201}], "不能超过200字"),
    "colour-name": ([{**RECT, "color": "red"}], "颜色格式不正确"),
    "short-colour": ([{**RECT, "color": "#12345"}], "颜色格式不正确"),
    "too-many": ([RECT] * (MAX_ANNOTATIONS + 1), "最多200个标注"),
    "not-object": ([RECT, "arrow"], "第2个标注"),
    "not-list": ({"kind": "rect"}, "格式不正确"),
}


@pytest.mark.parametrize("case", BAD_ANNOTATIONS)
def test_bad_annotations_are_refused(case: str) -> None:
    """Each broken annotation raises ValidationError with a reason the inspector can act on."""
    data, reason = BAD_ANNOTATIONS[case]
    with pytest.raises(ValidationError) as err:
        parse_annotations(data)
    assert reason in err.value.message_zh


def test_bad_annotations_leave_the_stored_ones_unchanged(store: Store, site: Site) -> None:
    """set_annotations refuses every bad list and the photo keeps the annotations it had."""
    photo = site.photo_ids[0]
    with store.session() as session:
        set_annotations(session, evidence_id=photo, annotations=[RECT])
    for data, _reason in BAD_ANNOTATIONS.values():
        with pytest.raises(ValidationError), store.session() as session:
            set_annotations(session, evidence_id=photo, annotations=data)
    assert _evidence(store, photo).annotations == [{**RECT, "text": "", "color": "#E53935"}]


def test_two_hundred_annotations_are_allowed(store: Store, site: Site) -> None:
    """The limit itself is accepted."""
    with store.session() as session:
        set_annotations(session, evidence_id=site.photo_ids[0], annotations=[RECT] * MAX_ANNOTATIONS)
    assert len(_evidence(store, site.photo_ids[0]).annotations) == MAX_ANNOTATIONS


def test_remove_takes_the_photo_but_keeps_the_blob(store: Store, site: Site) -> None:
    """Removing a wrong picture on site deletes its row; the original stays in the blob store."""
    photo = site.photo_ids[1]
    sha = _evidence(store, photo).sha256
    with store.session() as session:
        remove_evidence(session, evidence_id=photo)
    with store.session() as session:
        assert session.get(Evidence, photo) is None
        assert [r.id for r in list_evidence(session, site.inspection_id)] == [site.photo_ids[0], site.photo_ids[2]]
    assert store.blobs.has(sha)


def test_remove_takes_the_links_with_the_photo(store: Store, site: Site) -> None:
    """A photo linked to an item and a finding can be removed on site; its links go with it."""
    photo = site.photo_ids[1]
    with store.session() as session:
        link_evidence(session, evidence_id=photo, item_id=site.item_ids[0])
        link_evidence(session, evidence_id=photo, finding_id=site.finding_id)
    with store.session() as session:
        remove_evidence(session, evidence_id=photo)
    with store.session() as session:
        assert session.get(Evidence, photo) is None
    assert _links(store, photo) == []


def test_remove_is_refused_once_the_inspection_is_finished(store: Store, site: Site) -> None:
    """After 检查完成 photos may still be added but not removed."""
    set_status(store, site.inspection_id, InspectionStatus.FINISHED)
    with pytest.raises(TransitionError), store.session() as session:
        remove_evidence(session, evidence_id=site.photo_ids[0])
    assert _evidence(store, site.photo_ids[0]).id == site.photo_ids[0]


@pytest.mark.parametrize("field", ["paper_evidence_id", "person_photo_evidence_id"])
def test_a_photo_of_a_quiz_record_cannot_be_removed(store: Store, basics: Basics, site: Site, field: str) -> None:
    """The photographed quiz paper (or the person's photo) belongs to the quiz record."""
    photo = site.photo_ids[0]
    with store.session() as session:
        session.add(
            QuizSession(
                inspection_id=site.inspection_id,
                enterprise_id=basics.mine_id,
                person_name="孙五",
                person_post="瓦斯检查工",
                **{field: photo},
            )
        )
    with pytest.raises(TransitionError) as err, store.session() as session:
        remove_evidence(session, evidence_id=photo)
    assert "考试记录" in err.value.message_zh
    assert _evidence(store, photo).id == photo


def test_editing_is_refused_after_documents_are_issued(store: Store, site: Site) -> None:
    """Once 文书已出具, captions, annotations, order, links and removal are all refused."""
    photo = site.photo_ids[0]
    with store.session() as session:
        link_evidence(session, evidence_id=photo, item_id=site.item_ids[0])
        set_caption(session, evidence_id=photo, caption="原说明")
    set_status(store, site.inspection_id, InspectionStatus.DOCUMENTS_ISSUED)
    before = _evidence(store, photo).model_dump()
    edits = [
        lambda s: set_caption(s, evidence_id=photo, caption="新说明"),
        lambda s: set_annotations(s, evidence_id=photo, annotations=[RECT]),
        lambda s: move_evidence(s, evidence_id=photo, to_index=2),
        lambda s: link_evidence(s, evidence_id=photo, finding_id=site.finding_id),
        lambda s: unlink_evidence(s, evidence_id=photo, item_id=site.item_ids[0]),
        lambda s: remove_evidence(s, evidence_id=photo),
    ]
    for edit in edits:
        with pytest.raises(TransitionError) as err, store.session() as session:
            edit(session)
        assert "文书已出具" in err.value.message_zh
    assert _evidence(store, photo).model_dump() == before
    assert len(_links(store, photo)) == 1
