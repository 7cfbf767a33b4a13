"""Filling the forms from the record and the typed inputs: defaults, and a clear error for every bad input."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.documents.fill import INPUTS, fill_fields, parse_seized_items
from inspector.domain.enums import DocumentKind
from inspector.errors import ValidationError
from inspector.store.db import Store
from inspector.store.settings import AGENCY_KEY, set_setting
from tests.documents.conftest import AGENCY_SETTING, CASE_KINDS, PERSON_ID, Case, issue
from tests.documents.conftest import INPUTS as VALID


def _fill(store: Store, kind: DocumentKind, inspection_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    with store.session() as session:
        return fill_fields(session, kind, inspection_id, inputs, None)


def _error(store: Store, kind: DocumentKind, inspection_id: str, inputs: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as err:
        _fill(store, kind, inspection_id, inputs)
    return err.value.message_zh


@pytest.mark.parametrize("kind", [k for k, fields in INPUTS.items() if any(f.required for f in fields)])
def test_missing_required_inputs_are_named_in_chinese(store: Store, case: Case, kind: DocumentKind) -> None:
    message = _error(store, kind, case.inspection_id, {})
    assert message.startswith("请填写：")
    for field in INPUTS[kind]:
        assert (field.label in message) is field.required


def test_a_blank_input_counts_as_missing(store: Store, case: Case) -> None:
    inputs = {**VALID[DocumentKind.PENALTY_NOTICE], "facts": "  \n "}
    assert _error(store, DocumentKind.PENALTY_NOTICE, case.inspection_id, inputs) == "请填写：违法事实。"


@pytest.mark.parametrize("amount", ["5万", "20000.123", "-100", "二万"])
def test_a_bad_amount_names_the_field(store: Store, case: Case, amount: str) -> None:
    inputs = {**VALID[DocumentKind.PENALTY_DECISION_UNIT], "amount": amount}
    message = _error(store, DocumentKind.PENALTY_DECISION_UNIT, case.inspection_id, inputs)
    assert message.startswith("罚款金额（元）：")


def test_money_inputs_give_figures_and_capitals(store: Store, case: Case) -> None:
    inputs = {**VALID[DocumentKind.PENALTY_DECISION_UNIT], "amount": "530,000"}
    fields = _fill(store, DocumentKind.PENALTY_DECISION_UNIT, case.inspection_id, inputs)
    assert (fields["amount_figures"], fields["amount_capital"]) == ("530000.00元", "伍拾叁万元整")


def test_a_choice_outside_its_choices_is_refused(store: Store, case: Case) -> None:
    inputs = {**VALID[DocumentKind.COERCIVE_MEASURES], "measure": "没收"}
    message = _error(store, DocumentKind.COERCIVE_MEASURES, case.inspection_id, inputs)
    assert message == "强制措施“没收”不正确，应为查封、扣押之一。"


def test_seized_items_parse_one_a_line() -> None:
    items = parse_seized_items("乳化炸药 | 2号岩石 | 48千克 | 3号硐室\n\n电雷管｜｜120发｜3号硐室\n")
    assert items == [
        {"name": "乳化炸药", "spec": "2号岩石", "quantity": "48千克", "location": "3号硐室"},
        {"name": "电雷管", "spec": "", "quantity": "120发", "location": "3号硐室"},
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "乳化炸药|2号岩石|48千克|3号硐室\n\n电雷管|120发|3号硐室",
            "查封扣押清单第3行“电雷管|120发|3号硐室”格式不正确",
        ),
        ("乳化炸药|2号岩石|48千克|3号硐室|多余", "第1行“乳化炸药|2号岩石|48千克|3号硐室|多余”格式不正确"),
        ("|2号岩石|48千克|3号硐室", "查封扣押清单第1行“|2号岩石|48千克|3号硐室”缺少名称或数量"),
        ("电雷管|||3号硐室", "第1行“电雷管|||3号硐室”缺少名称或数量"),
    ],
)
def test_a_bad_item_line_is_named(text: str, expected: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_seized_items(text)
    assert expected in err.value.message_zh


@pytest.mark.parametrize(
    ("period", "ok"), [("30", True), ("15日", True), ("31", False), ("0", False), ("半个月", False)]
)
def test_the_seizure_period_is_at_most_thirty_days(store: Store, case: Case, period: str, ok: bool) -> None:
    inputs = {**VALID[DocumentKind.COERCIVE_MEASURES], "period_days": period}
    if ok:
        fields = _fill(store, DocumentKind.COERCIVE_MEASURES, case.inspection_id, inputs)
        assert fields["period_days"] == period.removesuffix("日")
    else:
        assert "行政强制法第二十五条" in _error(store, DocumentKind.COERCIVE_MEASURES, case.inspection_id, inputs)


def test_coercive_measures_need_a_finding_to_seal_or_seize(store: Store, case: Case) -> None:
    from inspector.inspections.findings import delete_finding, update_finding
    from inspector.inspections.service import reopen_inspection

    with store.session() as session:
        reopen_inspection(session, inspection_id=case.inspection_id)
        delete_finding(session, finding_id=case.finding_ids["seize"])
        update_finding(session, finding_id=case.finding_ids["general"], description="安全培训档案不全")
    message = _error(store, DocumentKind.COERCIVE_MEASURES, case.inspection_id, VALID[DocumentKind.COERCIVE_MEASURES])
    assert "没有需要查封扣押的问题" in message


@pytest.mark.parametrize(
    ("id_number", "expected"),
    [
        (PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1"), "身份证号：身份证号码校验位错误"),
        ("1405221980010112", "身份证号：身份证号码应为18位，当前为16位"),
        ("140522198002301234", "身份证号：身份证号码中的出生日期不存在"),
    ],
)
def test_a_bad_id_number_is_refused(store: Store, case: Case, id_number: str, expected: str) -> None:
    inputs = {**VALID[DocumentKind.PENALTY_DECISION_PERSON], "person_id_number": id_number}
    assert _error(store, DocumentKind.PENALTY_DECISION_PERSON, case.inspection_id, inputs).startswith(expected)


def test_the_sex_comes_from_the_id_number_and_must_agree(store: Store, case: Case) -> None:
    inputs = dict(VALID[DocumentKind.PENALTY_DECISION_PERSON])
    fields = _fill(store, DocumentKind.PENALTY_DECISION_PERSON, case.inspection_id, inputs)
    assert (fields["person_sex"], fields["person_id_number"]) == ("男", PERSON_ID)
    inputs["person_sex"] = "女"
    message = _error(store, DocumentKind.PENALTY_DECISION_PERSON, case.inspection_id, inputs)
    assert message == "性别“女”与身份证号（男）不符。"


def test_inquiry_materials_are_ticked_and_the_rest_listed_under_others(store: Store, case: Case) -> None:
    inputs = {**VALID[DocumentKind.INQUIRY_NOTICE], "materials": "营业执照、安全生产责任制文件，隐患排查台账"}
    fields = _fill(store, DocumentKind.INQUIRY_NOTICE, case.inspection_id, inputs)
    assert fields["materials_line"] == (
        "□身份证　√营业执照　□法定代表人身份证明或者委托书　√其它：安全生产责任制文件、隐患排查台账"
    )
    assert (fields["inquiry_place"], fields["contact"], fields["you"]) == (AGENCY_SETTING["address"], "王一", "你单位")
    inputs = {**inputs, "materials": "", "person": "孙五", "inquiry_place": "阳城县应急管理局三楼询问室"}
    fields = _fill(store, DocumentKind.INQUIRY_NOTICE, case.inspection_id, inputs)
    assert fields["materials_line"].count("□") == 4
    assert (fields["addressee"], fields["you"], fields["inquiry_place"]) == ("孙五", "你", "阳城县应急管理局三楼询问室")


def test_an_inquiry_needs_a_place(store: Store, case: Case) -> None:
    with store.session() as session:
        set_setting(session, AGENCY_KEY, {**AGENCY_SETTING, "address": ""})
    message = _error(store, DocumentKind.INQUIRY_NOTICE, case.inspection_id, VALID[DocumentKind.INQUIRY_NOTICE])
    assert message == "请填写询问地点（本机关地址未设置）。"


def test_typed_clauses_lose_their_closing_punctuation(store: Store, case: Case) -> None:
    fields = _fill(store, DocumentKind.PENALTY_NOTICE, case.inspection_id, VALID[DocumentKind.PENALTY_NOTICE])
    assert fields["basis"] == "《中华人民共和国安全生产法》第一百零二条"  # typed with 的规定: the form adds it
    assert fields["evidence"] == "现场检查记录、现场照片2张、询问笔录"  # one a line
    assert (fields["hearing_right"], fields["rights_words"]) == ("是", "进行陈述、申辩或者要求听证")
    fields = _fill(
        store, DocumentKind.PENALTY_NOTICE, case.inspection_id, {**VALID[DocumentKind.PENALTY_NOTICE], "hearing": "否"}
    )
    assert (fields["hearing_right"], fields["rights_words"]) == ("", "进行陈述、申辩")


def test_a_receipt_needs_an_issued_document(store: Store, case: Case) -> None:
    message = _error(store, DocumentKind.SERVICE_RECEIPT, case.inspection_id, {})
    assert message == "本次检查没有已出具的文书，不能制作送达回执。"


def test_a_receipt_lists_the_documents_named_and_refuses_unknown_ones(store: Store, case: Case) -> None:
    issue(store, DocumentKind.INSPECTION_PLAN, case.inspection_id)
    record = issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)
    order = issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    fields = _fill(store, DocumentKind.SERVICE_RECEIPT, case.inspection_id, {})
    assert [d["number"] for d in fields["served_documents"]] == [record.number_text, order.number_text]  # no plan
    assert (fields["receiver"], fields["method"]) == ("阳城县测试煤业有限公司", "直接送达")
    inputs = {"documents": f"{order.number_text}\n\n《现场检查记录》\n安全生产责任制考核通知|阳安考〔2024〕3号"}
    fields = _fill(store, DocumentKind.SERVICE_RECEIPT, case.inspection_id, inputs)
    assert [(d["name"], d["number"]) for d in fields["served_documents"]] == [
        ("责令限期整改指令书", order.number_text),
        ("现场检查记录", record.number_text),
        ("安全生产责任制考核通知", "阳安考〔2024〕3号"),
    ]
    message = _error(store, DocumentKind.SERVICE_RECEIPT, case.inspection_id, {"documents": "行政处罚决定书（单位）"})
    assert message.startswith("送达文书第1行“行政处罚决定书（单位）”不是本次检查已出具的文书")
    message = _error(store, DocumentKind.SERVICE_RECEIPT, case.inspection_id, {"method": "口头送达"})
    assert message.startswith("送达方式“口头送达”不正确")


def test_filling_only_reads(store: Store, case: Case) -> None:
    issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)
    with store.session() as session:
        for kind in CASE_KINDS:
            fill_fields(session, kind, case.inspection_id, dict(VALID.get(kind, {})), None)
            assert not (session.new or session.dirty or session.deleted), kind


@pytest.mark.parametrize(
    "typed", ["经查，你单位未设置安全警示标志。", "你单位未设置安全警示标志", "未设置安全警示标志"]
)
def test_facts_are_not_led_in_twice(store: Store, case: Case, typed: str) -> None:
    inputs = {**VALID[DocumentKind.PENALTY_NOTICE], "facts": typed}
    assert _fill(store, DocumentKind.PENALTY_NOTICE, case.inspection_id, inputs)["facts"] == "未设置安全警示标志"
