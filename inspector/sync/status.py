"""What is waiting to be sent to the office, and when this laptop last synced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector.store.blobs import BlobStore
from inspector.store.models import Document, Evidence, OutboxEntry, Signature, SyncConflict, SyncState
from inspector.sync.protocol import GLOBAL_TABLES

# The record kinds as the 同步 page names them.
TABLE_ZH: dict[str, str] = {
    "enterprise": "企业",
    "inspector": "执法人员",
    "randomdraw": "双随机抽取",
    "inspectiontask": "检查任务",
    "taskinspector": "任务人员",
    "inspection": "现场检查",
    "inspectioninspector": "检查人员",
    "itemresult": "检查项结果",
    "finding": "隐患",
    "evidence": "证据照片",
    "evidencelink": "照片关联",
    "quizsession": "考试记录",
    "quizanswer": "答题记录",
    "document": "执法文书",
    "signature": "签名",
    "numberblock": "文书号段",
    "voidnumber": "作废文号",
    "syncconflict": "同步冲突",
}
FIELD_ZH: dict[str, str] = {
    "name": "名称",
    "address": "地址",
    "township": "乡镇",
    "contact_phone": "联系电话",
    "legal_representative": "法定代表人",
    "risk_level": "风险等级",
    "status": "状态",
    "deadline": "整改期限",
    "due_date": "截止日期",
    "description": "描述",
    "grade": "隐患等级",
    "title": "标题",
    "purpose": "事由和目的",
    "planned_date": "计划日期",
    "measure": "处理措施",
    "basis": "依据",
    "supervised_by": "挂牌督办单位",
    "review_note": "复查意见",
    "is_key": "重点监管",
    "employees": "从业人员数",
    "licence_no": "安全生产许可证编号",
    "sector": "行业类别",
}


def table_text(table: str) -> str:
    return TABLE_ZH.get(table, table)


def field_text(name: str) -> str:
    return FIELD_ZH.get(name, name)


def value_text(value: object) -> str:
    """A column's value as the conflict log shows it."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@dataclass(frozen=True)
class SyncStatus:
    pending_records: int
    pending_by_table: dict[str, int] = field(default_factory=dict)
    pending_files: int = 0  # photos, signatures and PDFs of pending records
    pending_photos: int = 0
    pending_bytes: int = 0
    office_url: str | None = None
    last_push_at: datetime | None = None
    last_pull_at: datetime | None = None
    last_error: str = ""
    conflicts: int = 0  # in the conflict log this laptop received (supervisors only)


def sync_status(session: Session, blobs: BlobStore | None = None) -> SyncStatus:
    by_table = {
        str(table): int(n)
        for table, n in session.exec(
            select(OutboxEntry.table_name, func.count(func.distinct(OutboxEntry.record_id)))
            .where(col(OutboxEntry.table_name).not_in(GLOBAL_TABLES))  # shipped content: never sent
            .group_by(col(OutboxEntry.table_name))
            .order_by(col(OutboxEntry.table_name))
        )
    }
    files: set[str] = set()
    photos: set[str] = set()
    pending_ids = select(OutboxEntry.record_id)
    blob_columns = ((Evidence, Evidence.sha256), (Signature, Signature.image_sha256), (Document, Document.pdf_sha256))
    for model, column in blob_columns:
        for sha in session.exec(select(column).where(col(model.id).in_(pending_ids))):
            if sha:
                files.add(sha)
                if model is Evidence:
                    photos.add(sha)
    size = 0
    if blobs is not None:
        for sha in files:
            size += blobs.size(sha)
    state = session.exec(select(SyncState).order_by(col(SyncState.last_pull_at).desc())).first()
    conflicts = session.exec(select(func.count()).select_from(SyncConflict)).one()
    return SyncStatus(
        pending_records=sum(by_table.values()),
        pending_by_table=by_table,
        pending_files=len(files),
        pending_photos=len(photos),
        pending_bytes=size,
        office_url=state.office_url if state else None,
        last_push_at=state.last_push_at if state else None,
        last_pull_at=state.last_pull_at if state else None,
        last_error=state.last_error if state else "",
        conflicts=int(conflicts),
    )


def recent_conflicts(session: Session, limit: int = 500) -> list[SyncConflict]:
    return list(session.exec(select(SyncConflict).order_by(col(SyncConflict.detected_at).desc()).limit(limit)))
