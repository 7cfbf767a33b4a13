"""Checklist files become versioned templates; started inspections keep the revision they began with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, func, select

from inspector.checklists.files import load_builtin_definitions
from inspector.checklists.schema import ChecklistDef, parse_checklist_text
from inspector.checklists.service import (
    current_template_for_industry,
    find_template,
    import_definition,
    install_builtin_checklists,
    list_templates,
    template_items,
)
from inspector.domain.enums import HazardGrade, Industry
from inspector.domain.identifiers import make_credit_code
from inspector.errors import ValidationError
from inspector.inspections.service import start_inspection
from inspector.registry.service import register_enterprise, register_inspector
from inspector.store.db import Store
from inspector.store.models import ChecklistItem, ChecklistTemplate, Inspection
from inspector.store.stats import row_counts
from tests.checklists.samples import demo_checklist


def demo(revision: int = 1, first_content: str = "检查内容一") -> ChecklistDef:
    return parse_checklist_text(demo_checklist(revision=revision, first_content=first_content), name="demo.toml")


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    with store.session() as opened:
        yield opened


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_import_creates_a_template_with_items_in_order(session: Session) -> None:
    result = import_definition(session, demo())
    assert result.created is True
    assert (result.code, result.revision, result.item_count) == ("demo", 1, 3)

    template = session.get(ChecklistTemplate, result.template_id)
    assert template is not None
    assert (template.code, template.revision, template.title, template.industry) == ("demo", 1, "演示检查表", "工贸")
    assert template.source == "《演示标准》（演示〔2024〕1号）；《另一标准》"
    assert template.is_current is True
    assert template.content_sha256 == demo().sha256

    items = template_items(session, result.template_id)
    assert [i.position for i in items] == [0, 1, 2]
    assert [i.code for i in items] == ["demo-01-01", "demo-01-02", "demo-02-01"]
    assert [(i.section_code, i.section) for i in items] == [
        ("demo-01", "第一节 人员"),
        ("demo-01", "第一节 人员"),
        ("demo-02", "第二节 设备"),
    ]
    first, second, third = items
    assert (first.content, first.method, first.basis) == ("检查内容一", "检查方法一", "《演示标准》第一条")
    assert first.basis_text == "第一条原文。"
    assert first.failure_grade == HazardGrade.MAJOR
    assert (first.unconfirmed, first.note) == (False, "")
    assert (second.unconfirmed, second.note, second.basis_text) == (True, "取自转载页", "")
    assert third.failure_grade == HazardGrade.GENERAL
    assert all(i.template_id == result.template_id for i in items)


def test_importing_the_same_definition_again_is_a_no_op(store: Store) -> None:
    with store.session() as session:
        first = import_definition(session, demo())
    before = row_counts(store)
    with store.session() as session:
        again = import_definition(session, demo())
    assert again.created is False
    assert again.template_id == first.template_id
    assert again.item_count == 3
    assert row_counts(store) == before  # no template, item or outbox row


def test_same_revision_with_other_content_is_refused(store: Store) -> None:
    with store.session() as session:
        import_definition(session, demo())
    before = row_counts(store)
    with pytest.raises(ValidationError) as info, store.session() as session:
        import_definition(session, demo(first_content="改过的检查内容"))
    assert "版本号" in info.value.message_zh
    assert "revision" in info.value.message_en
    assert row_counts(store) == before


def test_higher_revision_becomes_current_and_the_old_one_stays(session: Session) -> None:
    old = import_definition(session, demo(1))
    old_items = [(i.id, i.code, i.content, i.position) for i in template_items(session, old.template_id)]
    new = import_definition(session, demo(2, first_content="第二版的检查内容"))
    assert new.created is True
    assert new.template_id != old.template_id

    old_template = session.get(ChecklistTemplate, old.template_id)
    new_template = session.get(ChecklistTemplate, new.template_id)
    assert old_template is not None and new_template is not None
    assert old_template.is_current is False
    assert new_template.is_current is True
    assert [(i.id, i.code, i.content, i.position) for i in template_items(session, old.template_id)] == old_items
    assert template_items(session, new.template_id)[0].content == "第二版的检查内容"
    assert count(session, ChecklistItem) == 6

    assert [(r.revision, r.is_current) for r in list_templates(session, current_only=False)] == [(1, False), (2, True)]
    assert [r.revision for r in list_templates(session)] == [2]
    assert find_template(session, "demo").id == new.template_id


def test_skipping_revisions_is_allowed(session: Session) -> None:
    import_definition(session, demo(1))
    assert import_definition(session, demo(5)).created is True
    assert find_template(session, "demo").revision == 5


def test_started_inspection_keeps_its_revision(store: Store) -> None:
    with store.session() as session:
        enterprise = register_enterprise(
            session,
            name="阳城县测试机械有限公司",
            credit_code=make_credit_code("140522", "MA0C4K31"),
            industry=Industry.INDUSTRY_TRADE,
            county_code="140522",
            address="山西省晋城市阳城县凤城镇",
            township="凤城镇",
            legal_representative="张三",
        )
        inspectors = [
            register_inspector(session, name=n, cert_no=c, unit="阳城县应急管理局", county_code="140522")
            for n, c in (("王一", "14052200901"), ("赵二", "14052200902"))
        ]
        first = import_definition(session, demo(1))
        inspection = start_inspection(
            session,
            enterprise_id=enterprise.id,
            inspector_ids=[i.id for i in inspectors],
            checklist_template_id=first.template_id,
        )
        inspection_id = inspection.id
    with store.session() as session:
        second = import_definition(session, demo(2, first_content="第二版"))
    with store.session() as session:
        reloaded = session.get(Inspection, inspection_id)
        assert reloaded is not None
        assert reloaded.checklist_template_id == first.template_id != second.template_id
        items = template_items(session, first.template_id)
        assert items[0].content == "检查内容一"
        template = session.get(ChecklistTemplate, first.template_id)
        assert template is not None and template.revision == 1


def test_older_revision_after_a_newer_one_is_refused(store: Store) -> None:
    with store.session() as session:
        import_definition(session, demo(3))
    before = row_counts(store)
    with pytest.raises(ValidationError) as info, store.session() as session:
        import_definition(session, demo(2))
    assert "第3版" in info.value.message_zh and "第2版" in info.value.message_zh
    assert row_counts(store) == before
    with store.session() as session:
        assert [(r.revision, r.is_current) for r in list_templates(session, current_only=False)] == [(3, True)]


def test_install_builtin_checklists_twice_creates_nothing_the_second_time(store: Store) -> None:
    definitions = load_builtin_definitions()
    with store.session() as session:
        first = install_builtin_checklists(session)
    assert all(r.created for r in first)
    assert sorted(r.code for r in first) == sorted(c for c, d in definitions.items() if d.industry != "通用")
    assert "general" not in {r.code for r in first}
    assert len(first) == 9
    assert {r.code: r.item_count for r in first} == {r.code: definitions[r.code].item_count for r in first}
    before = row_counts(store)

    with store.session() as session:
        second = install_builtin_checklists(session)
        assert session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == "general")).first() is None
        assert session.exec(select(ChecklistTemplate).where(ChecklistTemplate.industry == "通用")).first() is None
    assert not any(r.created for r in second)
    assert [(r.template_id, r.item_count) for r in second] == [(r.template_id, r.item_count) for r in first]
    assert row_counts(store) == before
    assert before["checklisttemplate"] == 9
    assert before["checklistitem"] == sum(d.item_count for d in definitions.values() if d.industry != "通用")


def test_find_template_by_id_code_and_revision(session: Session) -> None:
    one = import_definition(session, demo(1))
    two = import_definition(session, demo(2, first_content="第二版"))
    assert find_template(session, one.template_id).id == one.template_id  # an old revision by id
    assert find_template(session, "demo").id == two.template_id  # a code means its current revision
    assert find_template(session, "demo@1").id == one.template_id
    assert find_template(session, "demo@2").id == two.template_id


@pytest.mark.parametrize("key", ["nothing", "demo@3", "demo@0", "demo@x", "demo@1.0", "@1", "", "demo@-1"])
def test_find_template_unknown_raises_validation_error(session: Session, key: str) -> None:
    import_definition(session, demo(1))
    with pytest.raises(ValidationError) as info:
        find_template(session, key)
    assert key in info.value.message_zh or key in info.value.message_en


@pytest.mark.parametrize("key", ["demo@²", "demo@1²"])
def test_find_template_with_a_superscript_revision_raises_validation_error(session: Session, key: str) -> None:
    """str.isdigit() accepts '²', which int() refuses: the CLI must still get a ValidationError, not a crash."""
    import_definition(session, demo(1))
    with pytest.raises(ValidationError) as info:
        find_template(session, key)
    assert key in info.value.message_zh


def test_current_template_for_industry(session: Session) -> None:
    install_builtin_checklists(session)
    coal = current_template_for_industry(session, Industry.COAL)
    assert coal is not None and coal.code == "coal" and coal.is_current
    assert current_template_for_industry(session, "煤矿") == coal
    chemicals = current_template_for_industry(session, "危险化学品")
    assert chemicals is not None and chemicals.code == "chemicals"
    assert current_template_for_industry(session, Industry.TRANSPORT) is None  # no checklist shipped for it
    assert current_template_for_industry(session, "通用") is None


def test_current_template_for_industry_follows_the_newest_revision(session: Session) -> None:
    import_definition(session, demo(1))
    two = import_definition(session, demo(2, first_content="第二版"))
    found = current_template_for_industry(session, "工贸")
    assert found is not None and found.id == two.template_id


def test_list_templates_counts_items(session: Session) -> None:
    install_builtin_checklists(session)
    rows = list_templates(session)
    definitions = load_builtin_definitions()
    assert {r.code: r.item_count for r in rows} == {
        c: d.item_count for c, d in definitions.items() if d.industry != "通用"
    }
    assert all(r.is_current for r in rows)
    counted = session.exec(
        select(ChecklistItem.template_id, func.count()).group_by(col(ChecklistItem.template_id))
    ).all()
    assert dict(counted) == {r.id: r.item_count for r in rows}
