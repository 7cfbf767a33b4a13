"""监管台's working tabs on the demo: review a decision, draft/approve/dispatch the plan, register and check a 举报."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector import clock
from inspector.documents.service import create_draft
from inspector.domain.enums import ComplaintStatus, DocumentKind, InspectionStatus
from inspector.store.db import Store
from inspector.store.models import (
    AnnualPlan,
    Complaint,
    Document,
    Inspection,
    InspectionInspector,
    InspectionTask,
    TaskInspector,
)
from inspector.ui.desk import DeskPage
from inspector.ui.desk_work import ComplaintTab, PlanTab, ReviewTab
from inspector.ui.main_window import MainWindow

WAIT = 30_000


def open_tab(qtbot: QtBot, window: MainWindow, title: str) -> tuple[DeskPage, object]:
    page = window.pages["监管台"]
    assert isinstance(page, DeskPage)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        window.show_page("监管台")
    tab = page.tab_pages[[t.title for t in page.tab_pages].index(title)]
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        page.show_tab(title)
    qtbot.waitUntil(lambda: page.officer_box.count() > 0, timeout=WAIT)
    return page, tab


def finished_inspection(store: Store) -> Inspection:
    with store.session() as session:
        found = session.exec(
            select(Inspection).where(
                Inspection.status != InspectionStatus.ON_SITE, Inspection.status != InspectionStatus.DRAFT
            )
        ).first()
        assert found is not None
        return found


def officers_of(store: Store, inspection_id: str) -> list[str]:
    with store.session() as session:
        rows = session.exec(select(InspectionInspector).where(InspectionInspector.inspection_id == inspection_id))
        return [r.inspector_id for r in rows]


def test_a_submitted_decision_is_returned_then_approved(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    from inspector.documents.review import submit_for_review

    inspection = finished_inspection(demo_store)
    with demo_store.session() as session:
        draft = create_draft(session, kind=DocumentKind.ON_SITE_MEASURES, inspection_id=inspection.id)
        submit_for_review(session, draft.id, officers_of(demo_store, inspection.id)[0])
        draft_id = draft.id
    page, tab = open_tab(qtbot, window, "文书审核")
    assert isinstance(tab, ReviewTab)
    assert [tab.model.row_at(n).document_id for n in range(tab.model.rowCount())] == [draft_id]
    tab.view.selectRow(0)
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.return_selected("措施依据写错，请改为第六十五条")
    assert tab.model.rowCount() == 0 and "已退回" in tab.message.text()
    with demo_store.session() as session:
        doc = session.get(Document, draft_id)
        assert doc is not None and doc.review_comment == "措施依据写错，请改为第六十五条"
        submit_for_review(session, draft_id, officers_of(demo_store, inspection.id)[0])
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.refresh()
    assert tab.model.data(tab.model.index(0, 3)) == "措施依据写错，请改为第六十五条"
    tab.view.selectRow(0)
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.approve_selected()
    with demo_store.session() as session:
        doc = session.get(Document, draft_id)
        assert doc is not None and doc.review_status == "已批准" and doc.reviewed_by_id == page.current_officer().id


def test_the_months_documents_are_exported_in_one_batch(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    _page, tab = open_tab(qtbot, window, "文书审核")
    assert isinstance(tab, ReviewTab)
    with qtbot.waitSignal(tab.export_done, timeout=WAIT) as done:
        tab.export_month_to(tmp_path)
    report = done.args[0]
    assert report.total >= 2 and len(report.written) == report.total and not report.error  # the demo's record, order
    assert all(Path(p).read_bytes().startswith(b"%PDF") for p in report.written)


def test_a_plan_is_drafted_approved_and_dispatched_to_two_officers(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    _page, tab = open_tab(qtbot, window, "年度计划")
    assert isinstance(tab, PlanTab)
    tab.year_box.setCurrentIndex(1)  # next year: every month ahead
    qtbot.waitUntil(lambda: tab.view_data is not None and tab.view_data.year == tab.year, timeout=WAIT)
    assert "尚无监督检查计划" in tab.status.text() and tab.draft_button.isEnabled()
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.draft()
    assert tab.model.rowCount() > 0 and "草稿" in tab.status.text()
    assert not tab.dispatch_button.isEnabled()
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.approve()
    assert "已锁定" in tab.status.text() and tab.dispatch_button.isEnabled()
    tab.view.selectRow(0)
    entry = tab.selected()
    assert entry is not None
    officers = [o.id for o in tab.view_data.officers if not o.supervisor][:2]
    due = clock.local_today().replace(year=tab.year, month=6, day=30)
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.dispatch_selected(("年度计划检查（测试）", officers, due))
    assert "已派发" in tab.message.text(), tab.message.text()
    with demo_store.session() as session:
        task = session.exec(select(InspectionTask).where(InspectionTask.title == "年度计划检查（测试）")).one()
        assert task.enterprise_id == entry.enterprise_id and task.due_date == due and task.plan_entry_id
        pair = session.exec(select(TaskInspector).where(TaskInspector.task_id == task.id)).all()
        assert sorted(p.inspector_id for p in pair) == sorted(officers)
        assert session.exec(select(AnnualPlan)).one().approved_at is not None
    # One officer alone is refused, in Chinese.
    tab.dispatch_selected(("单人检查", [officers[0], officers[0]], due))  # the reload dropped the selection
    assert tab.message.text() == "请先选择计划中的企业。"
    tab.view.selectRow(0)
    with qtbot.waitSignal(tab.failed, timeout=WAIT):
        tab.dispatch_selected(("单人检查", [officers[0], officers[0]], due))
    assert "c62828" in tab.message.styleSheet() and "请先选择" not in tab.message.text()
    tab.grab().save(str(tmp_path / "plan.png"))


def test_a_complaint_is_registered_anonymously_and_sent_to_two_officers(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    _page, tab = open_tab(qtbot, window, "举报核查")
    assert isinstance(tab, ComplaintTab) and tab.data is not None
    enterprise_id, name = tab.data.enterprises[0]
    values = {
        "channel": "12350",
        "anonymous": True,
        "reporter_name": "",
        "reporter_phone": "",
        "enterprise_id": enterprise_id,
        "place": "",
        "content": "夜间违规动火作业，无人监护",
        "deadline": clock.local_today() + timedelta(days=7),
    }
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.register(values)
    assert tab.model.rowCount() == 1 and tab.model.data(tab.model.index(0, 2)) == "匿名"
    # A name with anonymity is refused, and nothing is saved.
    with qtbot.waitSignal(tab.failed, timeout=WAIT):
        tab.register({**values, "reporter_name": "张三"})
    with demo_store.session() as session:
        assert len(session.exec(select(Complaint)).all()) == 1
    tab.view.selectRow(0)
    officers = [o.id for o in tab.data.officers if not o.supervisor][:2]
    with qtbot.waitSignal(tab.refreshed, timeout=WAIT):
        tab.send_task(("举报核查：" + name, officers, values["deadline"]))
    with demo_store.session() as session:
        complaint = session.exec(select(Complaint)).one()
        assert complaint.status == ComplaintStatus.CHECKING and complaint.task_id
        task = session.get(InspectionTask, complaint.task_id)
        assert task is not None and task.source == "举报" and task.due_date == values["deadline"]
    # Not closable before the check is done: the reason is shown.
    tab.view.selectRow(0)
    with qtbot.waitSignal(tab.failed, timeout=WAIT):
        tab.close_selected("已核查")
    assert tab.message.text() and "c62828" in tab.message.styleSheet()


def test_the_months_documents_print_as_one_job(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    _page, tab = open_tab(qtbot, window, "文书审核")
    assert isinstance(tab, ReviewTab)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "batch.pdf"
    printer.setOutputFileName(str(target))
    with qtbot.waitSignal(tab.printed, timeout=WAIT) as printed:
        tab.print_month(printer)
    with demo_store.session() as session:
        issued = session.exec(select(Document).where(Document.status == "已出具")).all()
        expected = sum(len(PdfReader(demo_store.blobs.path_of(d.pdf_sha256)).pages) for d in issued)
    assert len(issued) >= 2 and printed.args[0] == expected
    assert len(PdfReader(target).pages) == expected
    assert f"{len(issued)} 份文书" in tab.message.text()
