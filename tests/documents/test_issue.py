"""Issuing every kind: the PDF carries its title, the case number, the typed words and amounts, embedded fonts."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from inspector.documents.numbers import number_text
from inspector.domain.enums import DocumentKind, InspectionMode, InspectionStatus
from inspector.store.db import Store
from inspector.store.models import Inspection, InspectionInspector, InspectionTask
from inspector.store.settings import AGENCY_KEY, set_setting
from tests.conftest import Basics
from tests.documents.conftest import (
    AGENCY_SETTING,
    CASE_KINDS,
    INPUTS,
    PERSON_ID,
    Case,
    font_embedding,
    issue,
    pdf_text,
    start_review,
)

# What each kind's PDF must say, beyond its title and number (spaces and line breaks removed).
EXPECTED: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.INSPECTION_PLAN: (
        "现场检查方案（行政检查审批表）",
        "检查时间：2024年5月6日上午",
        "王一（执法证号14052200901）、赵二（执法证号14052200902）",
        "1.主要负责人履职情况2.重大事故隐患排查整治情况",
        "审批人（签名）：",
        "本文书一式一份，由应急管理部门存档备查。",
    ),
    DocumentKind.INSPECTION_RECORD: (
        "被检查单位：阳城县测试煤业有限公司",
        "井下主要通风机风电闭锁装置失效",
        "第3项依法查封扣押，另行出具《强制措施决定书》",
    ),
    DocumentKind.RECTIFICATION_ORDER: ("安全培训档案不全", "可以依法在60日内向阳城县人民政府申请行政复议"),
    DocumentKind.ON_SITE_MEASURES: ("针对第1项：责令停止使用相关设施、设备。",),
    DocumentKind.COERCIVE_MEASURES: (
        "井下3号炸药发放硐室超量存放民用爆炸物品",
        "《中华人民共和国安全生产法》第六十五条第一款第（四）项",
        "本机关决定对下列场所、设施或者财物予以扣押：",
        "乳化炸药Φ32mm2号岩石48千克井下3号炸药发放硐室",
        "电雷管120发井下3号炸药发放硐室",
        "扣押期限为30日，自2024年5月6日起计算。",
        "可以依法在60日内向阳城县人民政府申请行政复议，或者在6个月内依法向阳城县人民法院提起行政诉讼",
        "本文书一式两份：一份由应急管理部门备案，一份交当事人。",
    ),
    DocumentKind.INQUIRY_NOTICE: (
        "因你单位涉嫌未按规定建立事故隐患排查治理制度，",
        "请你单位于2024年5月8日9时00分到山西省晋城市阳城县凤城镇新阳东街88号接受询问调查",
        "√身份证√营业执照□法定代表人身份证明或者委托书√其它：安全生产责任制文件",
        "联系人：王一联系电话：0356-4212345",
        "一份交被询问人。",
    ),
    DocumentKind.PENALTY_NOTICE: (
        "经查，你单位未采取措施消除井下主要通风机风电闭锁装置失效的事故隐患。",
        "以上事实有现场检查记录、现场照片2张、询问笔录等证据为证。",
        "违反了《中华人民共和国安全生产法》第四十一条第二款的规定。依据《中华人民共和国安全生产法》第一百零二条的规定，",
        "拟对你单位作出罚款人民币20000.00元（大写：贰万元整）的行政处罚。",
        "第六十三条、第六十四条的规定，你单位有要求听证的权利。",
        "你单位如进行陈述、申辩或者要求听证，应当在收到本告知书之日起五日内向本机关提出",
        "本机关地址：山西省晋城市阳城县凤城镇新阳东街88号",
    ),
    DocumentKind.PENALTY_DECISION_UNIT: (
        "被处罚单位：阳城县测试煤业有限公司",
        "统一社会信用代码：91140522",
        "本机关于2024年5月6日以（阳）应急罚告〔2024〕1号《行政处罚告知书》告知你单位",
        "你单位在规定期限内未提出陈述、申辩，也未要求听证。",
        "决定给予你单位罚款人民币20000.00元（大写：贰万元整）的行政处罚。",
        "自收到本决定书之日起十五日内，到指定的银行（中国工商银行阳城支行）或者通过电子支付系统缴纳罚款",
        "每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额。",
        "在60日内向阳城县人民政府申请行政复议，或者在6个月内依法向阳城县人民法院提起行政诉讼。",
        "本文书一式三份：一份由应急管理部门备案，一份交被处罚单位，一份交收缴罚款的银行。",
    ),
    DocumentKind.PENALTY_DECISION_PERSON: (
        "被处罚人：张三性别：男",
        f"身份证号：{PERSON_ID}",
        "阳城县测试煤业有限公司矿长",
        "住址：山西省晋城市阳城县凤城镇东关村12号",
        "经查，你作为阳城县测试煤业有限公司主要负责人，",
        "违反了《中华人民共和国安全生产法》第二十一条第（五）项的规定",
        "决定给予你罚款人民币10000.05元（大写：壹万元零伍分）的行政处罚。",
        "一份交被处罚人，一份交收缴罚款的银行。",
    ),
    DocumentKind.SERVICE_RECEIPT: (
        "受送达人：张三",
        "送达地点：山西省晋城市阳城县北留镇",
        "送达方式：直接送达",
        "受送达人（签名或者盖章）：",
        "见证人（签名）：",
    ),
}


def _check_pdf(data: bytes, path: Path) -> str:
    path.write_bytes(data)
    fonts = font_embedding(path)
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(path.with_suffix(""))], check=True
    )
    assert path.with_name(f"{path.stem}-1.png").stat().st_size > 10_000
    return pdf_text(data)


def test_every_kind_of_a_case_issues_with_one_case_number(store: Store, case: Case, tmp_path: Path) -> None:
    numbers = {}
    for kind in CASE_KINDS:
        document = issue(store, kind, case.inspection_id)
        text = _check_pdf(store.blobs.read(document.pdf_sha256), tmp_path / f"{kind.name}.pdf")
        assert text.startswith(f"安全生产行政执法文书{kind.value.split('（')[0]}"), kind
        expected_number = number_text("阳", kind, 2024, 1)
        if kind is DocumentKind.PENALTY_DECISION_PERSON:
            # 一案双罚: the person's decision is 罚〔2024〕1-1号 beside the unit's 罚〔2024〕1号.
            expected_number = expected_number.replace("1号", "1-1号")
        assert document.number_text == expected_number
        if kind.number_word:
            assert expected_number in text
        for expected in EXPECTED[kind]:
            assert expected in text, f"{kind.value}: {expected}"
        assert "晋城市应急管理局" not in text  # not a 复议机关 since 2024 (行政复议法 第二十四条)
        numbers[kind] = document.number_text
    assert numbers[DocumentKind.RECTIFICATION_ORDER] == "（阳）应急责改〔2024〕1号"
    receipt = pdf_text(store.blobs.read(issue(store, DocumentKind.SERVICE_RECEIPT, case.inspection_id).pdf_sha256))
    served = [k for k in CASE_KINDS if k not in (DocumentKind.INSPECTION_PLAN, DocumentKind.SERVICE_RECEIPT)]
    for n, kind in enumerate(served, start=1):
        assert f"{n}{kind.value}{numbers[kind]}1" in receipt
    assert "现场检查方案" not in receipt  # internal: not served on the unit


def test_the_review_opinion_cites_the_order_and_prints_the_typed_opinion(
    store: Store, case: Case, tmp_path: Path
) -> None:
    review_id = start_review(store, case)
    opinion = "经复查，第2项问题未整改完毕，本机关将依法立案查处。"
    document = issue(store, DocumentKind.REVIEW_OPINION, review_id, {"opinion": opinion, "trigger": "应你单位申请"})
    text = _check_pdf(store.blobs.read(document.pdf_sha256), tmp_path / "review.pdf")
    # A 复查 belongs to the case it reviews (DESIGN.md §5): 责改〔2024〕1号 → 复查〔2024〕1号.
    assert document.number_text == "（阳）应急复查〔2024〕1号"
    assert "《责令限期整改指令书》（（阳）应急责改〔2024〕1号）。应你单位申请" in text
    assert opinion in text


def test_a_decision_on_a_person_follows_the_notice_to_that_person(store: Store, case: Case) -> None:
    notice = issue(
        store,
        DocumentKind.PENALTY_NOTICE,
        case.inspection_id,
        {**INPUTS[DocumentKind.PENALTY_NOTICE], "party": "张三", "hearing": "否"},
    )
    text = pdf_text(store.blobs.read(notice.pdf_sha256))
    assert text.startswith("安全生产行政执法文书行政处罚告知书（阳）应急罚告〔2024〕1号张三：经查，你未采取措施")
    assert "要求听证" not in text
    assert "你如进行陈述、申辩，应当在收到本告知书之日起五日内向本机关提出" in text
    person = pdf_text(
        store.blobs.read(issue(store, DocumentKind.PENALTY_DECISION_PERSON, case.inspection_id).pdf_sha256)
    )
    assert (
        "以（阳）应急罚告〔2024〕1号《行政处罚告知书》告知你拟作出行政处罚的内容及事实、理由、依据，以及你依法享有的陈述、申辩的权利。"
        in person
    )
    unit_inputs = {**INPUTS[DocumentKind.PENALTY_DECISION_UNIT], "statement": ""}
    unit = pdf_text(
        store.blobs.read(issue(store, DocumentKind.PENALTY_DECISION_UNIT, case.inspection_id, unit_inputs).pdf_sha256)
    )
    assert "《行政处罚告知书》" not in unit  # that notice went to the person, not to the unit


def test_a_plan_is_made_from_a_draft_inspection(store: Store, basics: Basics, tmp_path: Path) -> None:
    with store.session() as session:
        set_setting(session, AGENCY_KEY, AGENCY_SETTING)
        from inspector.documents.numbers import add_block

        add_block(session, short_name="阳", year=2024, first=7, last=9, device_id=store.device_id)
        task = InspectionTask(
            enterprise_id=basics.plant_id,
            mode=InspectionMode.DOUBLE_RANDOM,
            planned_date=date(2024, 5, 10),
            source="双随机",
            purpose="双随机抽查安全生产主体责任落实情况。",
        )
        session.add(task)
        session.flush()
        inspection = Inspection(
            enterprise_id=basics.plant_id,
            task_id=task.id,
            mode=InspectionMode.DOUBLE_RANDOM,
            status=InspectionStatus.DRAFT,
        )
        session.add(inspection)
        session.flush()
        for position, inspector_id in enumerate(basics.inspector_ids[1:]):
            session.add(InspectionInspector(inspection_id=inspection.id, inspector_id=inspector_id, position=position))
    document = issue(store, DocumentKind.INSPECTION_PLAN, inspection.id, {})
    text = _check_pdf(store.blobs.read(document.pdf_sha256), tmp_path / "plan.pdf")
    assert document.number_text == "（阳）应急检查〔2024〕7号"
    for expected in (
        "被检查单位：阳城县测试化工有限公司",
        "检查时间：2024年5月10日",
        "检查人员：赵二（执法证号14052200902）、钱三（执法证号14052200903）",
        "检查方式：双随机抽查",
        "任务来源：双随机",
        "事由和目的：双随机抽查安全生产主体责任落实情况。",
    ):
        assert expected in text
    with store.session() as session:
        again = session.get(Inspection, inspection.id)
        assert again is not None
        assert again.status is InspectionStatus.DRAFT
