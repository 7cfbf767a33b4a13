"""SQLModel tables for the whole enforcement workflow (DESIGN.md §3): inspection → finding → document → 复查 → 销号.

Every synced table carries a UUIDv7 id, created_at/updated_at, the device that made the row and a version
counter; those are filled by the session hooks in `inspector.store.db`, never by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inspector.domain.enums import (
    ComplaintChannel,
    ComplaintStatus,
    DocumentKind,
    DocumentStatus,
    EvidenceSource,
    FindingMeasure,
    FindingStatus,
    HazardGrade,
    Industry,
    InspectionMode,
    InspectionStatus,
    InspectorRole,
    ItemResultValue,
    OutboxOp,
    PlanBasis,
    PlanStatus,
    QuestionType,
    QuizMode,
    QuizStatus,
    TaskStatus,
)
from inspector.store.ids import uuid7
from inspector.store.types import StrEnumType, UTCDateTime


def _enum(enum_cls: Any, **kw: Any) -> Any:
    return Field(sa_type=StrEnumType(enum_cls), **kw)


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime(), **kw)


def _json(default_factory: Any) -> Any:
    return Field(default_factory=default_factory, sa_type=JSON)


class SyncedRecord(SQLModel):
    """Columns every synced row has. created_at/updated_at/origin_device/version are set by the store."""

    id: str = Field(default_factory=uuid7, primary_key=True, max_length=36)
    created_at: datetime | None = _when(default=None)
    updated_at: datetime | None = _when(default=None)
    origin_device: str = Field(default="", max_length=36)
    version: int = Field(default=0)


# ─── reference data: enterprises and inspectors ────────────────────────────────────────────────────────


class Enterprise(SyncedRecord, table=True):
    """生产经营单位."""

    name: str = Field(index=True)
    credit_code: str = Field(max_length=18, unique=True)  # 统一社会信用代码
    industry: Industry = _enum(Industry, index=True)
    sector: str = ""  # 工贸 行业类 (冶金 …) or a finer trade; free text
    address: str = ""
    township: str = ""  # 乡镇
    county_code: str = Field(default="", max_length=6, index=True)  # jurisdiction for sync scoping
    legal_representative: str = ""
    contact_phone: str = ""
    risk_level: str = ""  # A (highest) … D
    is_key: bool = False  # 重点监管: full coverage instead of 双随机 sampling
    employees: int | None = None
    licence_no: str = ""  # 安全生产许可证编号
    latitude: float | None = None
    longitude: float | None = None
    notes: str = ""


class Inspector(SyncedRecord, table=True):
    """执法人员."""

    name: str
    cert_no: str = Field(unique=True)  # 执法证号
    unit: str = ""
    role: InspectorRole = _enum(InspectorRole, default=InspectorRole.INSPECTOR)
    phone: str = ""
    county_code: str = Field(default="", max_length=6)
    active: bool = True


# ─── tasks and inspections ────────────────────────────────────────────────────────────────────────────


class InspectionTask(SyncedRecord, table=True):
    """检查任务: planned by the office or made on the laptop."""

    enterprise_id: str = Field(foreign_key="enterprise.id", index=True)
    mode: InspectionMode = _enum(InspectionMode, default=InspectionMode.UNANNOUNCED)
    title: str = ""
    purpose: str = ""  # 事由和目的
    planned_date: date | None = None
    due_date: date | None = Field(default=None, index=True)
    status: TaskStatus = _enum(TaskStatus, default=TaskStatus.PLANNED, index=True)
    source: str = ""  # 年度计划 / 双随机 / 举报 / 临时
    random_draw_id: str | None = Field(default=None, foreign_key="randomdraw.id")
    # The annual plan's entry the task carries out. No foreign key: plans sync to supervisors only
    # (SUPERVISOR_TABLES), and a laptop pulling the task has no plan to point at.
    plan_entry_id: str | None = Field(default=None, max_length=36, index=True)


class TaskInspector(SyncedRecord, table=True):
    """An inspector assigned to a task."""

    __table_args__ = (UniqueConstraint("task_id", "inspector_id"),)  # also the index by task
    task_id: str = Field(foreign_key="inspectiontask.id")
    inspector_id: str = Field(foreign_key="inspector.id")
    position: int = 0


class RandomDraw(SyncedRecord, table=True):
    """双随机 draw: the seed and the candidates are kept so the draw can be shown to be random."""

    drawn_at: datetime | None = _when(default=None)
    year: int | None = None
    seed: str
    enterprise_count: int = 0  # how many enterprises were asked for
    inspector_count: int = 0
    industry: str = ""
    area: str = ""
    candidate_enterprise_ids: list[str] = _json(list)
    candidate_inspector_ids: list[str] = _json(list)
    chosen_enterprise_ids: list[str] = _json(list)
    chosen_inspector_ids: list[str] = _json(list)


class Inspection(SyncedRecord, table=True):
    """现场检查."""

    __table_args__ = (Index("ix_inspection_enterprise_started", "enterprise_id", "started_at"),)
    task_id: str | None = Field(default=None, foreign_key="inspectiontask.id")
    enterprise_id: str = Field(foreign_key="enterprise.id")
    mode: InspectionMode = _enum(InspectionMode, default=InspectionMode.UNANNOUNCED)
    status: InspectionStatus = _enum(InspectionStatus, default=InspectionStatus.DRAFT, index=True)
    checklist_template_id: str | None = Field(default=None, foreign_key="checklisttemplate.id")
    review_of_inspection_id: str | None = Field(default=None, foreign_key="inspection.id")  # 复查 of …
    case_year: int | None = None  # 案号 year and number, shared by all documents of this inspection
    case_number: int | None = None
    started_at: datetime | None = _when(default=None, index=True)
    ended_at: datetime | None = _when(default=None)
    place: str = ""  # 检查场所
    purpose: str = ""  # 事由和目的
    latitude: float | None = None
    longitude: float | None = None
    gps_source: str = ""  # 手工输入 / 照片EXIF / 企业登记
    on_site_person_name: str = ""  # 现场负责人
    on_site_person_post: str = ""
    on_site_person_phone: str = ""
    witness: str = ""  # 见证人
    experts: str = ""  # 检查专家
    # 四不两直 facts, recorded as the inspection's own statement of how it was carried out.
    no_advance_notice: bool = False
    no_escort: bool = False
    straight_to_site: bool = False
    notes: str = ""


class InspectionInspector(SyncedRecord, table=True):
    """An officer taking part in an inspection; position 0 is the one in charge (主办)."""

    __table_args__ = (UniqueConstraint("inspection_id", "inspector_id"),)  # also the index by inspection
    inspection_id: str = Field(foreign_key="inspection.id")
    inspector_id: str = Field(foreign_key="inspector.id", index=True)
    position: int = 0


# ─── checklists ──────────────────────────────────────────────────────────────────────────────────────


class ChecklistTemplate(SyncedRecord, table=True):
    """One version of an official checklist (resources/checklists/); started inspections keep their version."""

    __table_args__ = (UniqueConstraint("code", "revision"),)
    code: str = Field(index=True)
    revision: int  # the checklist's own version (the row's sync version is `version`)
    title: str
    industry: str = ""
    source: str = ""  # the standard(s) and 文号 the checklist follows
    content_sha256: str = Field(default="", max_length=64)
    is_current: bool = True


class ChecklistItem(SyncedRecord, table=True):
    __table_args__ = (UniqueConstraint("template_id", "code"),)
    template_id: str = Field(foreign_key="checklisttemplate.id", index=True)
    section_code: str = ""
    section: str  # the section's title
    position: int
    code: str  # stable within the template, e.g. "coal-04-02"
    content: str  # 检查内容
    method: str = ""  # 检查方法
    basis: str = ""  # 依据: standard, 文号, article/item
    basis_text: str = ""  # the clause quoted exactly
    failure_grade: HazardGrade = _enum(HazardGrade, default=HazardGrade.GENERAL)
    unconfirmed: bool = False  # clause not confirmed against the official text
    note: str = ""  # where an unconfirmed clause came from


class ItemResult(SyncedRecord, table=True):
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)  # also the index by inspection
    inspection_id: str = Field(foreign_key="inspection.id")
    item_id: str = Field(foreign_key="checklistitem.id")
    result: ItemResultValue = _enum(ItemResultValue)
    note: str = ""
    unchecked_reason: str = ""  # required when the result is 未检
    answered_at: datetime | None = _when(default=None)


# ─── findings, evidence ────────────────────────────────────────────────────────────────────────────


class Finding(SyncedRecord, table=True):
    """隐患 / 问题 found in an inspection, with its rectification life cycle."""

    __table_args__ = (Index("ix_finding_status_deadline", "status", "deadline"),)
    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    enterprise_id: str = Field(foreign_key="enterprise.id", index=True)
    item_id: str | None = Field(default=None, foreign_key="checklistitem.id")
    position: int = 0
    description: str
    grade: HazardGrade = _enum(HazardGrade, default=HazardGrade.GENERAL)
    basis: str = ""
    measure: FindingMeasure = _enum(FindingMeasure, default=FindingMeasure.RECTIFY_BY_DEADLINE)
    deadline: date | None = None
    status: FindingStatus = _enum(FindingStatus, default=FindingStatus.OPEN)
    source: str = "checklist"  # checklist / manual / quiz
    supervised_by: str = ""  # 挂牌督办 by whom (重大事故隐患)
    supervised_since: date | None = None
    review_inspection_id: str | None = Field(default=None, foreign_key="inspection.id")
    review_note: str = ""
    closed_at: datetime | None = _when(default=None)


class Evidence(SyncedRecord, table=True):
    """证据照片: the original bytes live untouched in the blob store under their SHA-256."""

    __table_args__ = (UniqueConstraint("inspection_id", "sha256"),)
    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    original_name: str = ""
    media_type: str = ""
    size_bytes: int = 0
    width: int | None = None
    height: int | None = None
    captured_at_exif: str = ""  # EXIF DateTimeOriginal as written by the camera (no zone)
    captured_at_device: datetime | None = _when(default=None)  # laptop clock at ingest
    latitude: float | None = None
    longitude: float | None = None
    camera_model: str = ""
    orientation: int = 1  # EXIF orientation of the original (1 = upright); derived images apply it
    source: EvidenceSource = _enum(EvidenceSource, default=EvidenceSource.FILE)
    added_by_id: str | None = Field(default=None, foreign_key="inspector.id")
    caption: str = ""
    position: int = 0
    annotations: list[dict[str, Any]] = _json(list)  # see inspector.evidence.annotations


class EvidenceLink(SyncedRecord, table=True):
    """What a photo proves: a checklist item's result or a finding."""

    evidence_id: str = Field(foreign_key="evidence.id", index=True)
    item_id: str | None = Field(default=None, foreign_key="checklistitem.id", index=True)
    finding_id: str | None = Field(default=None, foreign_key="finding.id", index=True)


# ─── question banks and quizzes (逢查必考) ───────────────────────────────────────────────────────────


class QuestionBank(SyncedRecord, table=True):
    __table_args__ = (UniqueConstraint("code", "revision"),)
    code: str = Field(index=True)
    revision: int = 1  # the bank's own version
    title: str
    industry: str = ""
    pass_mark: int = 80  # of 100
    source: str = ""
    content_sha256: str = Field(default="", max_length=64)  # of the shipped file it came from
    is_current: bool = True


class Question(SyncedRecord, table=True):
    __table_args__ = (Index("ix_question_bank_type", "bank_id", "qtype"),)
    bank_id: str = Field(foreign_key="questionbank.id")
    code: str = ""  # the question's code in its bank file ("" for spreadsheet imports)
    qtype: QuestionType = _enum(QuestionType)
    posts: list[str] = _json(list)  # 岗位
    stem: str
    options: list[str] = _json(list)
    answer: str = ""  # letters for choices ("AB"), "对"/"错" for 判断, reference text for 简答
    explanation: str = ""
    basis: str = ""
    difficulty: int = 2  # 1 easy … 3 hard
    content_sha256: str = Field(default="", max_length=64, index=True)  # to refuse duplicates
    unconfirmed: bool = False  # its clause was not checked against an official text
    note: str = ""


class QuizSession(SyncedRecord, table=True):
    """One person's quiz in an inspection; the seed reproduces the exact paper."""

    inspection_id: str | None = Field(default=None, foreign_key="inspection.id", index=True)
    enterprise_id: str = Field(foreign_key="enterprise.id", index=True)
    bank_id: str | None = Field(default=None, foreign_key="questionbank.id")
    person_name: str
    person_post: str
    person_id_number: str = ""  # 身份证号
    person_staff_no: str = ""  # 工号
    mode: QuizMode = _enum(QuizMode, default=QuizMode.KIOSK)
    seed: str = ""
    draw_params: dict[str, Any] = _json(dict)  # what the paper was drawn from, to reproduce it with the seed
    time_limit_seconds: int | None = None
    started_at: datetime | None = _when(default=None)
    ended_at: datetime | None = _when(default=None)
    score: float | None = None
    pass_mark: int = 80
    status: QuizStatus = _enum(QuizStatus, default=QuizStatus.IN_PROGRESS)
    examiner_id: str | None = Field(default=None, foreign_key="inspector.id")
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    paper_evidence_id: str | None = Field(default=None, foreign_key="evidence.id")  # the written paper
    person_photo_evidence_id: str | None = Field(default=None, foreign_key="evidence.id")


class QuizAnswer(SyncedRecord, table=True):
    __table_args__ = (UniqueConstraint("session_id", "position"),)
    session_id: str = Field(foreign_key="quizsession.id", index=True)
    question_id: str = Field(foreign_key="question.id")
    position: int
    option_order: list[int] = _json(list)  # shuffled order shown to the person
    given: str = ""
    correct: bool | None = None  # None until marked (简答)
    points: float = 0.0


# ─── documents and numbers ─────────────────────────────────────────────────────────────────────────


class Document(SyncedRecord, table=True):
    """执法文书. Issued documents are immutable; a correction is a new document that voids the old."""

    __table_args__ = (
        Index("ix_document_kind_year_number", "kind", "case_year", "case_number"),
        # 执法统计 counts issued documents by month: without it every row is read past its large frozen fields.
        Index("ix_document_status_issued", "status", "issued_at", "kind"),
    )
    inspection_id: str | None = Field(default=None, foreign_key="inspection.id", index=True)
    enterprise_id: str = Field(foreign_key="enterprise.id", index=True)
    kind: DocumentKind = _enum(DocumentKind)
    number_text: str = ""  # （阳）应急责改〔2024〕37号
    case_year: int | None = None
    case_number: int | None = None
    status: DocumentStatus = _enum(DocumentStatus, default=DocumentStatus.DRAFT, index=True)
    fields: dict[str, Any] = _json(dict)
    template_version: str = ""
    pdf_sha256: str = Field(default="", max_length=64)
    issued_at: datetime | None = _when(default=None)
    served_at: datetime | None = _when(default=None)
    voided_at: datetime | None = _when(default=None)
    void_reason: str = ""
    replaces_document_id: str | None = Field(default=None, foreign_key="document.id")
    # Supervisor review of a decision (DocumentKind.needs_review): "" / 待审核 / 已退回 / 已批准. Kept on the
    # document so that an approval made on the supervisor's machine reaches the laptop with the next sync;
    # every step is also an AuditEvent, which holds the history of the rounds.
    review_status: str = ""
    review_comment: str = ""  # the supervisor's last comment (why it was returned)
    review_submitted_at: datetime | None = _when(default=None)
    reviewed_by_id: str | None = Field(default=None, foreign_key="inspector.id")
    reviewed_at: datetime | None = _when(default=None)


class Signature(SyncedRecord, table=True):
    document_id: str = Field(foreign_key="document.id", index=True)
    role: str  # 检查人员 / 被检查单位负责人 / 见证人 / 专家 / 受送达人
    signer_name: str
    inspector_id: str | None = Field(default=None, foreign_key="inspector.id")
    image_sha256: str = Field(default="", max_length=64)
    signed_at: datetime | None = _when(default=None)
    refused: bool = False  # 拒签, recorded with a witness (安全生产法 第六十八条)
    refusal_witness: str = ""


class NumberBlock(SyncedRecord, table=True):
    """A block of case numbers reserved by the office for this laptop (per agency and year)."""

    agency_short_name: str
    year: int = Field(index=True)
    first_number: int
    last_number: int
    next_number: int
    device_id: str = Field(default="", max_length=36)


class VoidNumber(SyncedRecord, table=True):
    """Void register: a case number that was drawn and not used, or whose documents were voided."""

    __table_args__ = (UniqueConstraint("agency_short_name", "year", "number"),)
    agency_short_name: str
    year: int
    number: int
    reason: str = ""


# ─── supervisor desk: annual plan, complaints ──────────────────────────────────────────────────────
# Synced between supervisors' machines and the office only (SUPERVISOR_TABLES in the sync protocol): an
# inspector's laptop gets the tasks made from them, never a reporter's name. They hold no foreign key into
# tables an inspector's laptop syncs, so a pulled deletion there cannot break a reference here.


class AnnualPlan(SyncedRecord, table=True):
    """年度监督检查计划 (安全生产法 第六十三条 [K]); once approved (by the 本级人民政府, 2025 rules) it is locked."""

    __table_args__ = (UniqueConstraint("county_code", "year"),)
    county_code: str = Field(max_length=6)
    year: int
    title: str
    status: PlanStatus = _enum(PlanStatus, default=PlanStatus.DRAFT)
    sample_ratio: float = 0.0  # share of the general enterprises drawn by 双随机
    yearly_cap: int = 0  # inspections per enterprise per year the plan was drafted under
    random_draw_id: str | None = Field(default=None, max_length=36)  # the 双随机 draw of the sampled part
    approved_by_id: str | None = Field(default=None, max_length=36)  # the supervisor who recorded the approval
    approved_at: datetime | None = _when(default=None)
    approval_ref: str = ""  # the approving document, e.g. the government's reply and its 文号


class PlanEntry(SyncedRecord, table=True):
    """One enterprise in an annual plan: how many inspections, why, and in which months."""

    __table_args__ = (UniqueConstraint("plan_id", "enterprise_id"),)  # also the index by plan
    plan_id: str = Field(foreign_key="annualplan.id")
    enterprise_id: str = Field(max_length=36, index=True)
    planned_count: int = 1
    basis: PlanBasis = _enum(PlanBasis, default=PlanBasis.OTHER)
    months: list[int] = _json(list)  # one month (1–12) per planned inspection
    note: str = ""


class Complaint(SyncedRecord, table=True):
    """举报: registered, checked by an inspection task, closed with its result.

    An anonymous complaint never holds who made it: the check constraint refuses a name or phone with it.
    Anonymous is the default, so that a reporter's identity is kept only when it is given on purpose."""

    __table_args__ = (
        CheckConstraint("NOT anonymous OR (reporter_name = '' AND reporter_phone = '')", name="ck_complaint_anonymous"),
    )
    county_code: str = Field(default="", max_length=6, index=True)
    received_at: datetime = _when()
    channel: ComplaintChannel = _enum(ComplaintChannel)
    anonymous: bool = True
    reporter_name: str = ""
    reporter_phone: str = ""
    enterprise_id: str | None = Field(default=None, max_length=36, index=True)
    place: str = ""  # where, when the enterprise is not known
    content: str
    deadline: date
    status: ComplaintStatus = _enum(ComplaintStatus, default=ComplaintStatus.REGISTERED, index=True)
    task_id: str | None = Field(default=None, max_length=36)  # the 举报核查 task
    inspection_id: str | None = Field(default=None, max_length=36)  # the inspection that checked it
    result: str = ""  # 办理结果, fed back to the reporter (unless anonymous) and to the office
    closed_at: datetime | None = _when(default=None)


# ─── local bookkeeping: audit, outbox, sync state, settings ──────────────────────────────────────


class AuditEvent(SQLModel, table=True):
    """Hash-chained audit log: each event holds the hash of the one before it on this device."""

    __table_args__ = {"sqlite_autoincrement": True}
    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    id: str = Field(default_factory=uuid7, max_length=36, unique=True)
    at: datetime = _when()
    device_id: str = Field(default="", max_length=36)
    actor: str = ""  # inspector id or "system"
    action: str  # create / update / delete / issue / void / sign / sync
    table_name: str
    record_id: str = Field(max_length=36, index=True)
    old_values: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    new_values: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    record_sha256: str = Field(default="", max_length=64)  # the whole record after the change ("" if deleted)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)


class OutboxEntry(SQLModel, table=True):
    """A local change not yet acknowledged by the office, written in the same transaction as the change."""

    # AUTOINCREMENT: a sequence number is never reused, so an ack for an old entry never hits a new one.
    __table_args__ = {"sqlite_autoincrement": True}
    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    table_name: str
    record_id: str = Field(max_length=36, index=True)
    op: OutboxOp = _enum(OutboxOp)
    record_version: int = 0
    created_at: datetime = _when()
    # What changed, for the office's per-field merge: {column: [clock stamp, value before the first pending
    # edit]}; {"*": [stamp, None]} for a record made here and not yet acknowledged (every column is new).
    fields: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class SyncState(SQLModel, table=True):
    """Where this laptop stands with its office: one row per office."""

    office_url: str = Field(primary_key=True)
    device_id: str = Field(default="", max_length=36)
    pull_cursor: int = 0
    last_push_at: datetime | None = _when(default=None)
    last_pull_at: datetime | None = _when(default=None)
    last_error: str = ""
    last_stamp: str = ""  # the newest clock stamp received from the office (the clock starts past it)


class SyncConflict(SyncedRecord, table=True):
    """同步冲突: two laptops changed the same field of a record offline; the office kept one value.

    Written by the office only and pulled by supervisors' laptops, so that a value that lost is seen and can
    be restored by hand. The same conflict has the same id whichever laptop synced first."""

    county_code: str = Field(default="", max_length=6, index=True)
    table_name: str
    record_id: str = Field(max_length=36, index=True)
    record_label: str = ""  # what the record is, in words (the enterprise's name …)
    field_name: str
    kept_value: Any = Field(default=None, sa_type=JSON)
    kept_device: str = Field(default="", max_length=36)
    kept_stamp: str = ""
    lost_value: Any = Field(default=None, sa_type=JSON)
    lost_device: str = Field(default="", max_length=36)
    lost_stamp: str = ""
    kept_by: str = ""  # 王一（王一的笔记本）: the user and laptop whose sync brought the value
    lost_by: str = ""
    detected_at: datetime | None = _when(default=None)


class Setting(SQLModel, table=True):
    """Local key/value settings: agency names, this device's id, office-set limits."""

    key: str = Field(primary_key=True)
    value: Any = Field(default=None, sa_type=JSON)


SYNCED_TABLES: tuple[type[SyncedRecord], ...] = (
    Enterprise,
    Inspector,
    RandomDraw,
    InspectionTask,
    TaskInspector,
    ChecklistTemplate,
    ChecklistItem,
    Inspection,
    InspectionInspector,
    ItemResult,
    Finding,
    Evidence,
    EvidenceLink,
    QuestionBank,
    Question,
    QuizSession,
    QuizAnswer,
    Document,
    Signature,
    NumberBlock,
    VoidNumber,
    SyncConflict,
    AnnualPlan,
    PlanEntry,
    Complaint,
)
