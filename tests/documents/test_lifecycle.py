"""A document's life: the rules for issuing, numbers from blocks, frozen PDFs, void and correction, signatures,
verification of a printed PDF, and exporting a case."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from inspector.documents import service as docs
from inspector.documents.forms import load_form
from inspector.documents.numbers import add_block, case_number_for
from inspector.documents.render import DocumentContent, RenderError, render_document
from inspector.domain.enums import DocumentKind, DocumentStatus, InspectionStatus
from inspector.errors import TransitionError, ValidationError
from inspector.inspections.service import start_inspection
from inspector.store.db import Store
from inspector.store.models import Document, Inspection, NumberBlock, Signature
from tests.conftest import Basics
from tests.documents.conftest import ISSUED_AT, Case, approve_draft, issue, pdf_text


def _draft(store: Store, kind: DocumentKind, inspection_id: str) -> str:
    with store.session() as session:
        return docs.create_draft(session, kind=kind, inspection_id=inspection_id).id


def _issue(store: Store, document_id: str, **kw: object) -> Document:
    with store.session() as session:
        return docs.issue_document(session, store, document_id=document_id, issued_at=ISSUED_AT, **kw)  # type: ignore[arg-type]


def _png() -> bytes:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    for x in range(20, 280):
        image.putpixel((x, 50 + (x % 17) - 8), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_documents_of_an_inspection_still_on_site_are_refused(store: Store, basics: Basics, case: Case) -> None:
    with store.session() as session:
        on_site = start_inspection(session, enterprise_id=basics.mine_id, inspector_ids=basics.inspector_ids[:2])
    draft = _draft(store, DocumentKind.INSPECTION_RECORD, on_site.id)
    with pytest.raises(TransitionError) as err:
        _issue(store, draft)
    assert "请先完成现场检查" in err.value.message_zh
    with store.session() as session:
        assert session.get(Document, draft).status is DocumentStatus.DRAFT
        assert session.get(Inspection, on_site.id).case_number is None  # no number used up


def test_on_site_measures_follow_the_record_and_carry_its_date(store: Store, case: Case) -> None:
    measures = _draft(store, DocumentKind.ON_SITE_MEASURES, case.inspection_id)
    with pytest.raises(TransitionError) as err:
        _issue(store, measures)
    assert "请先签发现场检查记录" in err.value.message_zh
    issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)
    with pytest.raises(ValidationError) as err2, store.session() as session:
        docs.issue_document(session, store, document_id=measures, issued_at=ISSUED_AT + timedelta(days=1))
    assert "须与现场检查记录" in err2.value.message_zh
    with pytest.raises(TransitionError) as err3:
        _issue(store, measures)
    assert err3.value.code == "needs_approval" and "须先提交审核" in err3.value.message_zh
    with store.session() as session:
        approve_draft(session, measures)
    issued = _issue(store, measures)
    assert issued.number_text == "（阳）应急现决〔2024〕1号"


def test_without_numbers_a_document_stays_a_draft_and_blocks_never_overlap(store: Store, case: Case) -> None:
    with store.session() as session:
        for block in session.exec(select(NumberBlock)).all():
            session.delete(block)
    draft = _draft(store, DocumentKind.INSPECTION_RECORD, case.inspection_id)
    with pytest.raises(TransitionError) as err:
        _issue(store, draft)
    assert err.value.code == "no_numbers" and "同步领取编号段" in err.value.message_zh
    with store.session() as session:
        assert session.get(Document, draft).status is DocumentStatus.DRAFT
        add_block(session, short_name="阳", year=2024, first=7, last=7, device_id=store.device_id)
        with pytest.raises(ValidationError):
            add_block(session, short_name="阳", year=2024, first=5, last=9, device_id=store.device_id)
        # Another laptop's block is not ours to draw from.
        add_block(session, short_name="阳", year=2024, first=100, last=200, device_id="other-laptop")
    assert _issue(store, draft).number_text == "（阳）应急检记〔2024〕7号"
    with store.session() as session:
        finished = session.get(Inspection, case.inspection_id)
        assert finished is not None
        another = Inspection(enterprise_id=finished.enterprise_id)
        session.add(another)
        session.flush()
        with pytest.raises(TransitionError):  # the block 7–7 is used up
            case_number_for(session, another, short_name="阳", year=2024)


def test_an_issued_document_is_its_frozen_pdf(store: Store, case: Case) -> None:
    document = issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    with store.session() as session:
        first = docs.render_pdf(session, store, document.id)
        second = docs.render_pdf(session, store, document.id)
        assert first == second and hashlib.sha256(first).hexdigest() == document.pdf_sha256
        with pytest.raises(TransitionError):
            docs.set_inputs(session, document_id=document.id, inputs={"review_date": "2024年6月1日"})
        with pytest.raises(TransitionError):
            docs.sign(session, store, document_id=document.id, role="检查人员", signer_name="王", image_png=_png())
        with pytest.raises(TransitionError):
            docs.issue_document(session, store, document_id=document.id)
        inspection = session.get(Inspection, case.inspection_id)
        assert inspection is not None and inspection.status is InspectionStatus.DOCUMENTS_ISSUED


def test_void_needs_a_reason_and_a_correction_voids_the_old_one(store: Store, case: Case) -> None:
    old = issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    with store.session() as session:
        with pytest.raises(ValidationError):
            docs.void_document(session, document_id=old.id, reason="  ")
        correction = docs.create_draft(
            session,
            kind=DocumentKind.RECTIFICATION_ORDER,
            inspection_id=case.inspection_id,
            inputs={"review_date": "2024年5月22日"},
            replaces_document_id=old.id,
        )
    new = _issue(store, correction.id)
    with store.session() as session:
        voided = session.get(Document, old.id)
        assert voided is not None and voided.status is DocumentStatus.VOID
        assert new.number_text in voided.void_reason
        with pytest.raises(TransitionError):
            docs.void_document(session, document_id=old.id, reason="再次作废")
        draft = docs.create_draft(session, kind=DocumentKind.INSPECTION_RECORD, inspection_id=case.inspection_id)
        with pytest.raises(TransitionError):
            docs.void_document(session, document_id=draft.id, reason="草稿")
        docs.delete_draft(session, document_id=draft.id)
        assert session.get(Document, draft.id) is None
        with pytest.raises(TransitionError):
            docs.serve_document(session, document_id=old.id)  # void: nothing to serve
        served = docs.serve_document(session, document_id=new.id)
        assert served.status is DocumentStatus.SERVED and served.served_at is not None


def test_signatures_and_a_refusal_with_its_witness_print_on_the_document(store: Store, case: Case) -> None:
    draft = _draft(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    with store.session() as session:
        with pytest.raises(ValidationError) as err:
            docs.sign(session, store, document_id=draft, role="被检查单位负责人", signer_name="孙五", refused=True)
        assert "见证人" in err.value.message_zh
        with pytest.raises(ValidationError):
            docs.sign(session, store, document_id=draft, role="检查人员", signer_name="王", image_png=b"not a png")
        with pytest.raises(ValidationError):
            docs.sign(session, store, document_id=draft, role="检查人员", signer_name="王")  # empty signature
        signature = docs.sign(
            session, store, document_id=draft, role="检查人员", signer_name="王检查", image_png=_png()
        )
        docs.sign(
            session,
            store,
            document_id=draft,
            role="被检查单位负责人",
            signer_name="孙五",
            refused=True,
            refusal_witness="村委会主任赵六",
        )
        assert store.blobs.has(signature.image_sha256)
    document = _issue(store, draft)
    text = pdf_text(store.blobs.read(document.pdf_sha256))
    assert "孙五（拒绝签名，见证人：村委会主任赵六）" in text
    with store.session() as session:
        assert len(session.exec(select(Signature).where(Signature.document_id == draft)).all()) == 2


def test_verify_accepts_the_issued_pdf_and_names_what_is_wrong_otherwise(store: Store, case: Case) -> None:
    document = issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
    pdf = store.blobs.read(document.pdf_sha256)
    with store.session() as session:
        ok = docs.verify_pdf(session, store, pdf)
        assert ok.ok and ok.number_text == document.number_text
        altered = docs.verify_pdf(session, store, pdf + b"\n% appended\n")
        assert not altered.ok and any("bytes differ" in r for r in altered.reasons)
        with pytest.raises(ValidationError):
            docs.verify_pdf(session, store, b"%PDF-1.4 broken")
        foreign = render_document(
            load_form(DocumentKind.RECTIFICATION_ORDER),
            DocumentContent(
                kind=DocumentKind.RECTIFICATION_ORDER,
                number_text="（阳）应急责改〔2024〕99号",
                fields=session.get(Document, document.id).fields,  # type: ignore[union-attr]
                agency_name="阳城县应急管理局",
                draft=False,
            ),
        )
        assert any("no document numbered" in r for r in docs.verify_pdf(session, store, foreign).reasons)
        docs.void_document(session, document_id=document.id, reason="送达对象错误")
        voided = docs.verify_pdf(session, store, pdf)
        assert not voided.ok and any("void" in r for r in voided.reasons)


def test_export_writes_each_pdf_and_a_cancel_keeps_what_was_written(store: Store, case: Case, tmp_path: Path) -> None:
    ids = [
        issue(store, DocumentKind.INSPECTION_RECORD, case.inspection_id).id,
        issue(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id).id,
        _draft(store, DocumentKind.ON_SITE_MEASURES, case.inspection_id),
    ]
    seen: list[tuple[int, int]] = []
    report = docs.export_documents(store, ids, tmp_path / "case", progress=lambda d, t, _n: seen.append((d, t)))
    names = sorted(Path(p).name for p in report.written)
    assert names == [
        "现场处理措施决定书 草稿 " + ids[2][-8:] + ".pdf",
        "（阳）应急检记〔2024〕1号 现场检查记录.pdf",
        "（阳）应急责改〔2024〕1号 责令限期整改指令书.pdf",
    ]
    assert seen[-1] == (3, 3)
    with store.session() as session:
        order = session.get(Document, ids[1])
        assert order is not None
    exported = (tmp_path / "case" / "（阳）应急责改〔2024〕1号 责令限期整改指令书.pdf").read_bytes()
    assert hashlib.sha256(exported).hexdigest() == order.pdf_sha256
    calls = 0

    def cancel_after_one() -> bool:
        nonlocal calls
        calls += 1
        return calls > 1

    partial = docs.export_documents(store, ids, tmp_path / "again", should_cancel=cancel_after_one)
    assert partial.cancelled and len(partial.written) == 1
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == [Path(partial.written[0]).name]


def test_rare_characters_fall_back_and_unprintable_ones_are_refused(store: Store, case: Case) -> None:
    form = load_form(DocumentKind.RECTIFICATION_ORDER)
    with store.session() as session:
        fields = dict(
            docs.document_content(
                session, store, _draft(store, DocumentKind.RECTIFICATION_ORDER, case.inspection_id)
            ).fields
        )
    fields["enterprise_name"] = "阳城县堃喆煤业有限公司"  # 堃, 喆: not in the GB2312 宋体
    pdf = render_document(form, DocumentContent(kind=form.kind, number_text="", fields=fields, agency_name="局"))
    assert "阳城县堃喆煤业有限公司" in pdf_text(pdf)
    fields["enterprise_name"] = "阳城县\U0001f600煤业"
    with pytest.raises(RenderError) as err:
        render_document(form, DocumentContent(kind=form.kind, number_text="", fields=fields, agency_name="局"))
    assert "字体无法显示" in err.value.message_zh
