"""Seed a demo data folder of 阳城县 through the same services the app uses; running it again adds nothing."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from inspector import clock
from inspector.checklists.service import current_template_for_industry, template_items
from inspector.demo.catalog import (
    AGENCY,
    ENTERPRISES,
    FINISHED_INSPECTION_ENTERPRISE_KEY,
    FINISHED_INSPECTION_FINDINGS,
    INSPECTORS,
    DemoEnterprise,
)
from inspector.documents.numbers import add_block
from inspector.documents.review import approve, submit_for_review
from inspector.documents.service import create_draft, issue_document
from inspector.domain.enums import (
    DocumentKind,
    EvidenceSource,
    FindingMeasure,
    HazardGrade,
    Industry,
    InspectionMode,
    InspectorRole,
    ItemResultValue,
    TaskStatus,
)
from inspector.errors import InspectorError
from inspector.evidence.samples import sample_photo
from inspector.evidence.service import add_photo, link_evidence, set_caption
from inspector.inspections.draw import INSPECTION_CAP_KEY
from inspector.inspections.findings import update_finding
from inspector.inspections.service import OnSitePerson, add_finding, finish_inspection, start_inspection
from inspector.inspections.walk import record_result
from inspector.registry.service import register_enterprise, register_inspector
from inspector.shipped import install_shipped_content
from inspector.store.db import Store
from inspector.store.models import Enterprise, Finding, InspectionTask, Inspector, TaskInspector
from inspector.store.settings import AGENCY_KEY, DEMO_KEY, get_setting, set_setting

# Days before today on which the finished demo inspection took place: long enough ago that one of its
# deadlines has passed, so the 工作台 shows an overdue rectification.
FINISHED_INSPECTION_DAYS_AGO = 12

# (enterprise key, mode, days from today it is planned for, days from today it is due, title)
OPEN_TASKS: tuple[tuple[str, InspectionMode, int, int, str], ...] = (
    ("chem-01", InspectionMode.UNANNOUNCED, 0, 0, "危险化学品企业四不两直暗查暗访"),
    ("gas-01", InspectionMode.SPECIAL, 0, 3, "城镇燃气安全专项检查"),
    ("trade-05", InspectionMode.DOUBLE_RANDOM, 1, 10, "粉尘涉爆企业双随机抽查"),
    ("coal-02", InspectionMode.UNANNOUNCED, 2, 7, "煤矿重大事故隐患排查四不两直检查"),
    ("build-01", InspectionMode.ROUTINE, 5, 14, "建筑施工日常检查"),
    ("fire-01", InspectionMode.COMPLAINT, -1, 1, "群众举报消防通道堵塞核查"),
)


@dataclass(frozen=True)
class DemoSummary:
    data_dir: str
    created: bool
    enterprise_names: list[str]
    inspector_count: int
    open_task_count: int
    finished_inspection_id: str
    industries: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "data_dir": self.data_dir,
            "created": self.created,
            "enterprises": self.enterprise_names,
            "industries": self.industries,
            "inspector_count": self.inspector_count,
            "open_task_count": self.open_task_count,
            "finished_inspection_id": self.finished_inspection_id,
        }


@functools.cache
def _demo_photo(seed: int, taken_at: datetime, gps: tuple[float, float] | None) -> bytes:
    # Phone-sized would be 12 MP; the demo keeps them small so seeding stays quick.
    return sample_photo(size=(1600, 1200), taken_at=taken_at.replace(tzinfo=None), gps=gps, seed=seed)


def seed_demo(store: Store) -> DemoSummary:
    """Fill the folder with the demo once; later calls only report what is there."""
    with store.session() as session:
        marker = get_setting(session, DEMO_KEY)
        created = marker is None
        if created:
            if session.exec(select(Enterprise).limit(1)).first() is not None:
                raise InspectorError(
                    f"{store.data_dir} already holds real data; the demo is only seeded into an empty folder.",
                    "该数据文件夹已有实际数据，演示数据只能写入空文件夹。",
                    code="demo_not_empty",
                )
            marker = _seed(session, store)
            set_setting(session, DEMO_KEY, marker)
        return _summary(session, store, marker, created)


def _seed(session: Session, store: Store) -> dict[str, Any]:
    set_setting(session, AGENCY_KEY, AGENCY.as_dict())
    enterprises = {e.key: register_demo_enterprise(session, e) for e in ENTERPRISES}
    inspectors = [
        register_inspector(
            session,
            name=i.name,
            cert_no=i.cert_no,
            unit=i.unit,
            county_code=AGENCY.county_code,
            role=InspectorRole(i.role),
            phone=i.phone,
        )
        for i in INSPECTORS
    ]
    field_staff = [i for i in inspectors if i.role is InspectorRole.INSPECTOR]
    today = clock.local_today()
    for n, (key, mode, plan_in, due_in, title) in enumerate(OPEN_TASKS):
        task = InspectionTask(
            enterprise_id=enterprises[key].id,
            mode=mode,
            title=title,
            purpose="检查企业安全生产法律法规执行情况及重大事故隐患排查整治情况。",
            planned_date=today + timedelta(days=plan_in),
            due_date=today + timedelta(days=due_in),
            status=TaskStatus.PLANNED,
            source="举报" if mode is InspectionMode.COMPLAINT else "年度计划",
        )
        session.add(task)
        session.flush()
        pair = (field_staff[n % len(field_staff)], field_staff[(n + 1) % len(field_staff)])
        for position, inspector in enumerate(pair):
            session.add(TaskInspector(task_id=task.id, inspector_id=inspector.id, position=position))

    set_setting(session, INSPECTION_CAP_KEY, 2)
    install_shipped_content(session)
    inspection_day = today - timedelta(days=FINISHED_INSPECTION_DAYS_AGO)
    arrived = datetime.combine(inspection_day, time(9, 20), tzinfo=clock.CHINA_TZ)
    mine = enterprises[FINISHED_INSPECTION_ENTERPRISE_KEY]
    template = current_template_for_industry(session, Industry.COAL.value)
    inspection = start_inspection(
        session,
        enterprise_id=mine.id,
        inspector_ids=[field_staff[0].id, field_staff[1].id],
        mode=InspectionMode.UNANNOUNCED,
        started_at=arrived,
        place=f"{mine.name}井下15采区、中央变电所及调度室",
        purpose="对你单位安全生产管理情况和重大事故隐患排查整治情况进行四不两直暗查暗访。",
        on_site_person=OnSitePerson(name="郭建平", post="安全副矿长", phone="13835612874"),
        checklist_template_id=template.id if template else None,
    )
    items = template_items(session, template.id) if template else []
    failing = {}  # item id → demo finding whose basis is that item's
    for demo_finding in FINISHED_INSPECTION_FINDINGS:
        match = next((i for i in items if i.basis == demo_finding.basis and i.id not in failing), None)
        if match is not None:
            failing[match.id] = demo_finding
    for item in items:
        result = ItemResultValue.FAIL if item.id in failing else ItemResultValue.PASS
        record_result(session, inspection_id=inspection.id, item_id=item.id, result=result)
    by_item = {f.item_id: f for f in session.exec(select(Finding).where(Finding.inspection_id == inspection.id))}
    for demo_finding in FINISHED_INSPECTION_FINDINGS:
        measure = FindingMeasure(demo_finding.measure)
        grade = HazardGrade(demo_finding.grade)
        deadline = None if not measure.needs_deadline else inspection_day + timedelta(demo_finding.deadline_days)
        item_id = next((i for i, f in failing.items() if f is demo_finding), None)
        if item_id is not None:
            # The checklist made the finding; the inspector rewrote it as observed on site.
            finding = update_finding(
                session,
                finding_id=by_item[item_id].id,
                description=demo_finding.description,
                grade=grade,
                basis=demo_finding.basis,
                measure=measure,
                deadline=deadline,
                clear_deadline=deadline is None,
            )
        else:
            finding = add_finding(
                session,
                inspection_id=inspection.id,
                description=demo_finding.description,
                grade=grade,
                basis=demo_finding.basis,
                measure=measure,
                deadline=deadline,
            )
        if grade is HazardGrade.MAJOR:
            # 重大事故隐患 are 挂牌督办 by the county government (阳政发〔2024〕1号 §八).
            finding.supervised_by = "阳城县人民政府安全生产委员会办公室"
            finding.supervised_since = inspection_day
            session.add(finding)
        # Photo evidence of every finding, as the inspectors took it on site.
        n = finding.position
        taken = arrived + timedelta(minutes=25 * n)
        gps = (mine.latitude, mine.longitude) if mine.latitude is not None and mine.longitude is not None else None
        photo = add_photo(
            session,
            store,
            inspection.id,
            _demo_photo(n, taken, gps),
            name=f"IMG_{taken:%Y%m%d_%H%M%S}.jpg",
            source=EvidenceSource.FILE,
            added_by_id=field_staff[n % 2].id,
        )
        set_caption(session, evidence_id=photo.id, caption=demo_finding.description[:40])
        link_evidence(session, evidence_id=photo.id, finding_id=finding.id)
        if finding.item_id is not None:
            link_evidence(session, evidence_id=photo.id, item_id=finding.item_id)
    ended = arrived + timedelta(hours=3, minutes=40)
    finish_inspection(session, inspection_id=inspection.id, ended_at=ended)
    # The office gave this laptop a block of case numbers; the inspectors issued the record and the order
    # on site. The 现场处理措施决定书 is a decision: they submitted the draft, the supervisor approved it, and
    # it waits to be issued (a decision is issued only once approved).
    add_block(session, short_name=AGENCY.short_name, year=today.year, first=36, last=235, device_id=store.device_id)
    if inspection_day.year != today.year:
        add_block(
            session, short_name=AGENCY.short_name, year=inspection_day.year, first=480, last=499,
            device_id=store.device_id,
        )  # fmt: skip
    for kind in (DocumentKind.INSPECTION_RECORD, DocumentKind.RECTIFICATION_ORDER):
        draft = create_draft(session, kind=kind, inspection_id=inspection.id)
        issue_document(session, store, document_id=draft.id, issued_at=ended)
    measures = create_draft(session, kind=DocumentKind.ON_SITE_MEASURES, inspection_id=inspection.id)
    submit_for_review(session, measures.id, field_staff[0].id)
    supervisor = next(i for i in inspectors if i.role is InspectorRole.SUPERVISOR)
    approve(session, measures.id, supervisor.id, comment="同意")
    session.flush()
    return {"finished_inspection_id": inspection.id, "seeded_at": clock.now().isoformat()}


def register_demo_enterprise(session: Session, e: DemoEnterprise) -> Enterprise:
    """One enterprise of the demo catalog, with all its details (the demo and the crash harness use it)."""
    enterprise = register_enterprise(
        session,
        name=e.name,
        credit_code=e.credit_code,
        industry=Industry(e.industry),
        county_code=AGENCY.county_code,
        address=e.address,
        township=e.township,
        legal_representative=e.legal_representative,
        contact_phone=e.contact_phone,
        risk_level=e.risk_level,
        is_key=e.is_key,
        sector=e.sector,
    )
    enterprise.latitude = e.latitude
    enterprise.longitude = e.longitude
    enterprise.employees = e.employees
    enterprise.licence_no = e.licence_no
    enterprise.notes = e.activity
    session.add(enterprise)
    return enterprise


def _summary(session: Session, store: Store, marker: dict[str, Any], created: bool) -> DemoSummary:
    names = [e.name for e in session.exec(select(Enterprise).order_by(col(Enterprise.name)))]
    industries: dict[str, int] = {}
    for industry in session.exec(select(Enterprise.industry)):
        industries[str(industry)] = industries.get(str(industry), 0) + 1
    open_tasks = session.exec(
        select(InspectionTask).where(col(InspectionTask.status).in_((TaskStatus.PLANNED, TaskStatus.IN_PROGRESS)))
    ).all()
    inspection_id = str(marker["finished_inspection_id"])
    return DemoSummary(
        data_dir=str(store.data_dir),
        created=created,
        enterprise_names=names,
        inspector_count=len(session.exec(select(Inspector)).all()),
        open_task_count=len(open_tasks),
        finished_inspection_id=inspection_id,
        industries=industries,
    )
