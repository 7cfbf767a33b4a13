"""The life cycle of a 执法文书: draft → issued (PDF and hash frozen) → served → void.

A draft keeps only what the inspector typed (`fields["input"]`) and is filled from the record each time
it is shown, so a corrected finding shows at once. Issuing draws the case number, fills the fields one
last time, renders the PDF, stores it in the blob store and freezes its SHA-256: from then on the document
is those bytes. A correction is a new document that voids the old one when it is issued.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inspector import clock
from inspector.documents.fill import INPUTS, agency_of, cn_time, fill_fields
from inspector.documents.forms import load_form
from inspector.documents.numbers import case_number_for, number_text
from inspector.documents.render import AppendixPhoto, DocumentContent, SignatureMark, render_document
from inspector.domain.enums import DocumentKind, DocumentStatus, InspectionStatus, ReviewStatus
from inspector.domain.rules import NOT_SUBMITTED
from inspector.errors import TransitionError, ValidationError
from inspector.evidence.service import list_evidence, print_copies
from inspector.files import write_atomically
from inspector.store.audit import SYSTEM_ACTOR, record_event
from inspector.store.db import Store
from inspector.store.models import Document, Inspection, Signature

# Kinds made from what was found on site: the inspection must be finished first.
_FROM_FINISHED_INSPECTION = {
    DocumentKind.INSPECTION_RECORD,
    DocumentKind.RECTIFICATION_ORDER,
    DocumentKind.ON_SITE_MEASURES,
    DocumentKind.COERCIVE_MEASURES,
    DocumentKind.REVIEW_OPINION,
}
SIGNATURE_ROLES = ("检查人员", "被检查单位负责人", "见证人", "专家", "受送达人")
APPENDIX_LONG_SIDE = 1000  # print copies in the appendix: 250 dpi at 10 cm; a 12 MP JPEG decodes at 1/4 size


def _get(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise ValidationError(f"No document {document_id}.", "找不到该文书。")
    return document


def _inputs(document: Document) -> dict[str, Any]:
    """What the inspector typed (kept under "input" in drafts and, beside the frozen fields, once issued)."""
    value = document.fields.get("input", {})
    return dict(value) if isinstance(value, dict) else {}


def create_draft(
    session: Session,
    *,
    kind: DocumentKind,
    inspection_id: str,
    inputs: dict[str, Any] | None = None,
    replaces_document_id: str | None = None,
) -> Document:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise ValidationError(f"No inspection {inspection_id}.", "找不到该现场检查。")
    known = {f.key for f in INPUTS.get(kind, ())}
    unknown = set(inputs or {}) - known
    if unknown:
        raise ValidationError(f"Unknown inputs for {kind.value}: {sorted(unknown)}.", "文书填写项不正确。")
    if replaces_document_id is not None:
        old = _get(session, replaces_document_id)
        if old.kind is not kind or old.status not in (DocumentStatus.ISSUED, DocumentStatus.SERVED):
            raise TransitionError(
                "Only an issued document of the same kind can be corrected.", "只能更正已出具的同类文书。"
            )
    document = Document(
        inspection_id=inspection_id,
        enterprise_id=inspection.enterprise_id,
        kind=kind,
        status=DocumentStatus.DRAFT,
        fields={"input": dict(inputs or {})},
        template_version=load_form(kind).version,
        replaces_document_id=replaces_document_id,
    )
    session.add(document)
    session.flush()
    return document


def set_inputs(session: Session, *, document_id: str, inputs: dict[str, Any]) -> Document:
    document = _get(session, document_id)
    if document.status is not DocumentStatus.DRAFT:
        raise TransitionError("An issued document cannot change.", "文书已出具，不能修改；如有错误请作废后更正。")
    known = {f.key for f in INPUTS.get(document.kind, ())}
    unknown = set(inputs) - known
    if unknown:
        raise ValidationError(f"Unknown inputs: {sorted(unknown)}.", "文书填写项不正确。")
    changed = dict(inputs.items()) != _inputs(document)
    document.fields = {"input": dict(inputs.items())}
    if changed and document.review_status == ReviewStatus.APPROVED:
        # The supervisor approved what the draft said then; changed, it goes back for review.
        old = {"review_status": document.review_status, "reviewed_by_id": document.reviewed_by_id}
        document.review_status, document.reviewed_by_id, document.reviewed_at = NOT_SUBMITTED, None, None
        record_event(
            session,
            actor=SYSTEM_ACTOR,
            action="review_reset",
            table_name="document",
            record_id=document.id,
            old_values=old,
            new_values={"review_status": NOT_SUBMITTED, "reason": "inputs changed after approval"},
        )
    session.add(document)
    session.flush()
    return document


def _signature_marks(session: Session, store: Store, document_id: str) -> tuple[SignatureMark, ...]:
    rows = session.exec(
        select(Signature).where(Signature.document_id == document_id).order_by(col(Signature.created_at))
    ).all()
    marks = []
    for s in rows:
        image = store.blobs.read(s.image_sha256) if s.image_sha256 and store.blobs.has(s.image_sha256) else None
        cert = ""
        if s.inspector_id:
            from inspector.store.models import Inspector

            officer = session.get(Inspector, s.inspector_id)
            cert = officer.cert_no if officer else ""
        marks.append(
            SignatureMark(
                role=s.role,
                name=s.signer_name,
                cert_no=cert,
                image_png=image,
                signed_at=cn_time(s.signed_at),
                refused=s.refused,
                refusal_witness=s.refusal_witness,
            )
        )
    return tuple(marks)


def _photos(session: Session, store: Store, inspection_id: str) -> tuple[AppendixPhoto, ...]:
    rows = list_evidence(session, inspection_id)
    copies = print_copies(session, store, [r.id for r in rows], long_side=APPENDIX_LONG_SIDE)
    return tuple(
        AppendixPhoto(jpeg=jpeg, caption=row.caption, sha256=row.sha256, taken_at=row.taken_at_text())
        for row, jpeg in zip(rows, copies, strict=True)
    )


def document_content(
    session: Session, store: Store, document_id: str, *, issue_day: date | None = None
) -> DocumentContent:
    """What a draft prints now: filled from the record, with its signatures and photos."""
    document = _get(session, document_id)
    assert document.inspection_id is not None
    agency = agency_of(session)
    fields = fill_fields(session, document.kind, document.inspection_id, _inputs(document), issue_day)
    form = load_form(document.kind)
    number = document.number_text
    photos = _photos(session, store, document.inspection_id) if form.photo_appendix else ()
    return DocumentContent(
        kind=document.kind,
        number_text=number,
        fields=fields,
        agency_name=agency.name,
        signatures=_signature_marks(session, store, document.id),
        photos=photos,
        draft=document.status is DocumentStatus.DRAFT,
    )


def preview_pdf(
    session: Session, store: Store, *, kind: DocumentKind, inspection_id: str, inputs: dict[str, Any] | None = None
) -> bytes:
    """A draft rendering of a kind for an inspection, without saving a document (the CLI's `doc render`)."""
    agency = agency_of(session)
    form = load_form(kind)
    photos = _photos(session, store, inspection_id) if form.photo_appendix else ()
    content = DocumentContent(
        kind=kind,
        number_text="",
        fields=fill_fields(session, kind, inspection_id, dict(inputs or {}), None),
        agency_name=agency.name,
        photos=photos,
        draft=True,
    )
    return render_document(form, content)


def render_pdf(session: Session, store: Store, document_id: str) -> bytes:
    """The document's PDF: the frozen bytes of an issued one, a fresh rendering of a draft."""
    document = _get(session, document_id)
    if document.status is not DocumentStatus.DRAFT:
        return store.blobs.read(document.pdf_sha256)
    return render_document(load_form(document.kind), document_content(session, store, document_id))


def _check_order_rules(session: Session, document: Document, inspection: Inspection, day: date) -> None:
    if document.kind in _FROM_FINISHED_INSPECTION and inspection.status not in (
        InspectionStatus.FINISHED,
        InspectionStatus.DOCUMENTS_ISSUED,
    ):
        raise TransitionError(
            "Finish the inspection before issuing its documents.", "请先完成现场检查，再签发检查文书。"
        )
    if document.kind is DocumentKind.ON_SITE_MEASURES:
        # Practice: the 现场处理措施决定书 carries the date of the 现场检查记录.
        record = _issued_record(session, inspection.id)
        if record is None:
            raise TransitionError(
                "Issue the inspection record first.", "请先签发现场检查记录，再签发现场处理措施决定书。"
            )
        if record.issued_at is not None and clock.to_local(record.issued_at).date() != day:
            raise ValidationError(
                "The on-site measures must carry the date of the inspection record.",
                f"现场处理措施决定书的日期须与现场检查记录（{clock.to_local(record.issued_at).date()}）相同。",
            )


def check_approved(document: Document) -> None:
    """A decision is issued only once a supervisor approved it (DocumentKind.needs_review)."""
    if not document.kind.needs_review or document.review_status == ReviewStatus.APPROVED:
        return
    kind = document.kind.value
    if document.review_status == ReviewStatus.PENDING:
        en, zh = "is waiting for the supervisor's review", f"{kind}正在等待审核，审核人批准后方可签发。"
    elif document.review_status == ReviewStatus.RETURNED:
        en = "was returned by the supervisor; correct it and submit it again"
        zh = f"{kind}已被审核人退回（意见：{document.review_comment or '无'}），请修改后重新提交审核。"
    else:
        en = "needs a supervisor's approval; submit it for review first"
        zh = f"{kind}须先提交审核，经审核人批准后方可签发。"
    raise TransitionError(f"The {kind} {en}.", zh, code="needs_approval")


def _default_issue_time(session: Session, document: Document) -> datetime | None:
    """A 现场处理措施决定书 is dated as the 现场检查记录 it follows, even when it is printed later."""
    if document.kind is not DocumentKind.ON_SITE_MEASURES or document.inspection_id is None:
        return None
    record = _issued_record(session, document.inspection_id)
    return record.issued_at if record is not None else None


def _issued_record(session: Session, inspection_id: str) -> Document | None:
    return session.exec(
        select(Document).where(
            Document.inspection_id == inspection_id,
            Document.kind == DocumentKind.INSPECTION_RECORD,
            col(Document.status).in_((DocumentStatus.ISSUED, DocumentStatus.SERVED)),
        )
    ).first()


def issue_document(session: Session, store: Store, *, document_id: str, issued_at: datetime | None = None) -> Document:
    """Number, fill, render and freeze the document; from now on it is its PDF."""
    document = _get(session, document_id)
    if document.status is not DocumentStatus.DRAFT:
        raise TransitionError("The document is already issued.", "文书已经出具。")
    assert document.inspection_id is not None
    inspection = session.get(Inspection, document.inspection_id)
    assert inspection is not None
    when = issued_at or _default_issue_time(session, document) or clock.now()
    day = clock.to_local(when).date()
    _check_order_rules(session, document, inspection, day)
    check_approved(document)
    form = load_form(document.kind)
    agency = agency_of(session)
    inputs = _inputs(document)
    # Fill before numbering: a document that cannot be filled must not use up a number.
    fill_fields(session, document.kind, document.inspection_id, inputs, day)
    if form.numbered and document.kind.number_word:
        year, n = case_number_for(session, inspection, short_name=agency.short_name, year=day.year)
        document.case_year, document.case_number = year, n
        document.number_text = number_text(agency.short_name, document.kind, year, n)
        if document.kind is DocumentKind.PENALTY_DECISION_PERSON:
            # 一案双罚: the unit's decision is 罚〔Y〕N号, each person's 罚〔Y〕N-k号, so no two share a number.
            persons = session.exec(
                select(Document.id).where(
                    Document.inspection_id == inspection.id,
                    Document.kind == DocumentKind.PENALTY_DECISION_PERSON,
                    Document.number_text != "",
                    Document.id != document.id,
                )
            ).all()
            document.number_text = document.number_text.replace("号", f"-{len(persons) + 1}号")
    document.status = DocumentStatus.ISSUED  # rendered as issued: no 草稿 mark
    content = document_content(session, store, document.id, issue_day=day)
    pdf = render_document(form, content)
    document.pdf_sha256 = store.blobs.put_bytes(pdf)
    document.fields = {**content.fields, "input": inputs, "content_sha256": content.content_sha256()}
    document.issued_at = when
    document.template_version = form.version
    session.add(document)
    if inspection.status is InspectionStatus.FINISHED and document.kind in _FROM_FINISHED_INSPECTION:
        inspection.status = InspectionStatus.DOCUMENTS_ISSUED
        session.add(inspection)
    if document.replaces_document_id is not None:
        old = _get(session, document.replaces_document_id)
        if old.status is not DocumentStatus.VOID:
            _void(old, f"由{document.number_text or '更正文书'}更正", when)
            session.add(old)
    session.flush()
    return document


def serve_document(session: Session, *, document_id: str, served_at: datetime | None = None) -> Document:
    document = _get(session, document_id)
    if document.status is not DocumentStatus.ISSUED:
        raise TransitionError("Only an issued document can be served.", "只有已出具的文书才能送达。")
    document.status = DocumentStatus.SERVED
    document.served_at = served_at or clock.now()
    session.add(document)
    session.flush()
    return document


def _void(document: Document, reason: str, when: datetime) -> None:
    document.status = DocumentStatus.VOID
    document.voided_at = when
    document.void_reason = reason


def void_document(session: Session, *, document_id: str, reason: str) -> Document:
    """Void an issued document (the number stays taken; the register shows it with the reason)."""
    document = _get(session, document_id)
    if not reason.strip():
        raise ValidationError("A void needs a reason.", "作废文书须说明原因。")
    if document.status is DocumentStatus.VOID:
        raise TransitionError("The document is already void.", "文书已作废。")
    if document.status is DocumentStatus.DRAFT:
        raise TransitionError("A draft is deleted, not voided.", "草稿无需作废，可直接删除。")
    _void(document, reason.strip(), clock.now())
    session.add(document)
    session.flush()
    return document


def delete_draft(session: Session, *, document_id: str) -> None:
    document = _get(session, document_id)
    if document.status is not DocumentStatus.DRAFT:
        raise TransitionError("Only a draft can be deleted.", "只能删除草稿；已出具的文书须作废。")
    for s in session.exec(select(Signature).where(Signature.document_id == document_id)).all():
        session.delete(s)
    session.flush()
    session.delete(document)
    session.flush()


def sign(
    session: Session,
    store: Store,
    *,
    document_id: str,
    role: str,
    signer_name: str,
    image_png: bytes | None = None,
    inspector_id: str | None = None,
    refused: bool = False,
    refusal_witness: str = "",
) -> Signature:
    """A signature on a draft (image with its time), or a 拒签 recorded with its witness (第六十八条)."""
    document = _get(session, document_id)
    if document.status is not DocumentStatus.DRAFT:
        raise TransitionError("Signatures are taken before issuing.", "文书已出具，不能再签名。")
    if role not in SIGNATURE_ROLES:
        raise ValidationError(f"Unknown role {role!r}.", f"签名人身份“{role}”不正确。")
    if not signer_name.strip():
        raise ValidationError("The signer's name is empty.", "请填写签名人姓名。")
    if refused and not refusal_witness.strip():
        raise ValidationError(
            "A refusal to sign is recorded with a witness.", "拒绝签名的，须记录见证人（安全生产法第六十八条）。"
        )
    if not refused and not image_png:
        raise ValidationError("The signature is empty.", "签名为空，请在签名板上签字。")
    image_sha = ""
    if image_png:
        _check_png(image_png)
        image_sha = store.blobs.put_bytes(image_png)
    signature = Signature(
        document_id=document_id,
        role=role,
        signer_name=signer_name.strip(),
        inspector_id=inspector_id,
        image_sha256=image_sha,
        signed_at=clock.now(),
        refused=refused,
        refusal_witness=refusal_witness.strip(),
    )
    session.add(signature)
    session.flush()
    return signature


def _check_png(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            if image.format != "PNG":
                raise ValueError(image.format)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError("The signature is not a PNG image.", "签名图像无效。") from exc


# ─── batch export ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ExportReport:
    written: list[str]
    cancelled: bool


# Bytes of a file name's stem: 255 is the limit of Linux, macOS and Windows file systems, and export_document may
# still add "（已作废）" and "（n）" to it.
MAX_EXPORT_STEM_BYTES = 200


def export_file_name(kind: DocumentKind, number: str, document_id: str) -> str:
    """ "（阳）应急责改〔2026〕36号 责令限期整改指令书.pdf": the number first, so a folder sorts by case.

    The number comes from data (an agency's short name, a synced record), so the name is made safe to write
    inside the chosen folder only: no separators or characters Windows forbids, no control characters, no
    leading dot (a hidden file, or ".."), no trailing dot or space (Windows drops them), not too long."""
    label = f"{number} {kind.value}" if number else f"{kind.value} 草稿 {document_id[-8:]}"
    label = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", label).strip(" .")
    if len(label.encode("utf-8")) > MAX_EXPORT_STEM_BYTES:
        # The kind stays at the end; the number is cut, which the "…" shows.
        tail = f"… {kind.value}"
        room = MAX_EXPORT_STEM_BYTES - len(tail.encode("utf-8"))
        label = label.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") + tail
    return (label or kind.value) + ".pdf"


def export_documents(
    store: Store,
    document_ids: list[str],
    folder: Path,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> ExportReport:
    """Write each document's PDF into `folder` (issued: the frozen bytes; drafts: rendered now).

    Each file is written to a temporary name and renamed, so a cancelled or failed export never leaves
    half a PDF; the files already written stay."""
    written: list[str] = []
    for done, document_id in enumerate(document_ids):
        if should_cancel is not None and should_cancel():
            return ExportReport(written, cancelled=True)
        if progress is not None:
            progress(done, len(document_ids), document_id)
        with store.session() as session:
            target = export_document(session, store, document_id, folder, taken={Path(w).name for w in written})
        written.append(str(target))
    if progress is not None:
        progress(len(document_ids), len(document_ids), "")
    return ExportReport(written, cancelled=False)


def export_document(session: Session, store: Store, document_id: str, folder: Path, *, taken: set[str]) -> Path:
    """Write one document's PDF into `folder` under a name not in `taken` (a voided document says so)."""
    document = _get(session, document_id)
    name = export_file_name(document.kind, document.number_text, document.id)
    if document.status is DocumentStatus.VOID:
        name = name.removesuffix(".pdf") + "（已作废）.pdf"  # its correction carries the same number
    stem, n = name.removesuffix(".pdf"), 2
    while name in taken:
        name, n = f"{stem}（{n}）.pdf", n + 1
    target = folder / name
    if target.parent != folder:  # export_file_name makes plain names; never write outside the chosen folder
        raise ValidationError(f"Unsafe export file name {name!r}.", "导出文件名不安全，已停止导出。")
    write_atomically(target, render_pdf(session, store, document_id))  # makes the folder; names a failure
    return target


# ─── reading and verifying ───────────────────────────────────────────────────────────────────────────

KIND_ALIASES: dict[str, DocumentKind] = {
    "plan": DocumentKind.INSPECTION_PLAN,
    "record": DocumentKind.INSPECTION_RECORD,
    "order": DocumentKind.RECTIFICATION_ORDER,
    "measures": DocumentKind.ON_SITE_MEASURES,
    "coercive": DocumentKind.COERCIVE_MEASURES,
    "review": DocumentKind.REVIEW_OPINION,
    "inquiry": DocumentKind.INQUIRY_NOTICE,
    "penalty-notice": DocumentKind.PENALTY_NOTICE,
    "penalty-unit": DocumentKind.PENALTY_DECISION_UNIT,
    "penalty-person": DocumentKind.PENALTY_DECISION_PERSON,
    "receipt": DocumentKind.SERVICE_RECEIPT,
}


def kind_named(name: str) -> DocumentKind:
    """A kind from its Chinese name (现场检查记录) or its short English alias (record)."""
    if name in KIND_ALIASES:
        return KIND_ALIASES[name]
    try:
        return DocumentKind(name)
    except ValueError:
        known = ", ".join(KIND_ALIASES)
        raise ValidationError(
            f"Unknown document kind {name!r}; use one of: {known} (or the Chinese name).", f"未知的文书种类“{name}”。"
        ) from None


@dataclass(frozen=True)
class Verification:
    ok: bool
    number_text: str
    status: str
    reasons: list[str]


_PAYLOAD = re.compile(r"INSPECTOR-DOC\|(?P<number>[^|]*)\|(?P<sha>[0-9a-f]{64})")


def verify_pdf(session: Session, store: Store, data: bytes) -> Verification:
    """Check a PDF against the stored record: the hash it carries, its bytes, and the document's status."""
    import hashlib

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        meta = PdfReader(io.BytesIO(data)).metadata
    except (PdfReadError, ValueError, OSError) as exc:
        raise ValidationError(f"Not a readable PDF: {exc}", "不是可读取的 PDF 文件。") from exc
    match = _PAYLOAD.search(str(meta.subject if meta else ""))
    if match is None:
        return Verification(False, "", "", ["the PDF carries no Inspector verification code"])
    number, sha = match.group("number"), match.group("sha")
    document = session.exec(select(Document).where(Document.number_text == number)).first()
    candidates = session.exec(select(Document).where(Document.number_text == number)).all()
    document = next((d for d in candidates if d.fields.get("content_sha256") == sha), document)
    if document is None:
        return Verification(False, number, "", [f"no document numbered {number} in this data folder"])
    reasons = []
    if document.fields.get("content_sha256") != sha:
        reasons.append("the content hash in the PDF does not match the issued document")
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        reasons.append("the PDF bytes differ from the issued PDF (altered or re-saved)")
    if document.status is DocumentStatus.VOID:
        reasons.append(f"the document is void: {document.void_reason}")
    return Verification(not reasons, number, document.status.value, reasons)
