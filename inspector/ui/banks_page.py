"""题库 page: the banks on this laptop, importing an office spreadsheet, and the blank template."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, select

from inspector.quiz.bank_service import BankImport, add_questions, create_bank
from inspector.quiz.queries import BankRow, list_banks
from inspector.quiz.spreadsheet import SheetResult, read_question_rows, write_template
from inspector.store.db import Store
from inspector.store.models import QuestionBank
from inspector.ui.ops import run_op, run_write, user_message
from inspector.ui.pages import Page, fit_columns, make_table, page_heading
from inspector.ui.table_model import Column, RowTableModel


class ImportProblemsDialog(QDialog):
    """Rows with problems, one per line; the user may import the valid rows or nothing."""

    def __init__(self, path: Path, sheet: SheetResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportProblemsDialog")
        self.setWindowTitle("导入题库：发现问题")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"《{path.name}》共 {sheet.total_rows} 行，其中 {len(sheet.problems)} 行有问题，"
                f"{len(sheet.questions)} 行可以导入。未改正前，有问题的行不会导入。"
            )
        )
        text = QPlainTextEdit("\n".join(str(p) for p in sheet.problems))
        text.setReadOnly(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.valid_only = buttons.addButton(
            f"只导入有效的 {len(sheet.questions)} 行", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("不导入", QDialogButtonBox.ButtonRole.RejectRole)
        self.valid_only.setEnabled(bool(sheet.questions))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class BanksPage(Page):
    title = "题库"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(page_heading("题库（逢查必考）"), 1)
        self.template_button = QPushButton("导出空白模板…")
        self.template_button.clicked.connect(self.export_template)
        self.import_button = QPushButton("从 Excel/CSV 导入…")
        self.import_button.clicked.connect(self.choose_file)
        head.addWidget(self.template_button)
        head.addWidget(self.import_button)
        layout.addLayout(head)
        self.status = QLabel()
        self.status.setObjectName("subtle")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        columns: list[Column[BankRow]] = [
            Column("题库", lambda r: r.title),
            Column("行业领域", lambda r: r.industry),
            Column("版本", lambda r: r.revision),
            Column("题目数", lambda r: r.question_count),
            Column("合格分", lambda r: r.pass_mark),
        ]
        self.model: RowTableModel[BankRow] = RowTableModel(columns, self)
        self._notice = ""  # the outcome of an import, shown above the summary after the next refresh
        self.view = make_table(self.model)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        def show(rows: list[BankRow]) -> None:
            self.model.set_rows(rows)
            total = sum(r.question_count for r in rows)
            summary = f"共 {len(rows)} 个题库，{total} 道题" if rows else "暂无题库。"
            self.status.setText(f"{self._notice}\n{summary}" if self._notice else summary)
            self._notice = ""
            fit_columns(self.view)

        self._load(list_banks, show)

    def export_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出空白模板", "题库导入模板.xlsx", "Excel 文件 (*.xlsx)")
        if path:
            self.write_template_to(Path(path))

    def write_template_to(self, path: Path) -> None:
        try:
            write_template(path)
        except Exception as exc:  # a full disk or a locked file: say so, nothing else changes
            QMessageBox.warning(self, "无法导出", user_message(exc))
            return
        self.status.setText(f"模板已保存：{path}")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入题库", "", "题库文件 (*.xlsx *.csv)")
        if not path:
            return
        code, ok = QInputDialog.getText(self, "导入到题库", "题库代码（新代码则新建题库）：", text="local")
        if ok and code.strip():
            self.import_file(Path(path), code.strip())

    def import_file(self, path: Path, bank_code: str) -> None:
        """Read and check off the GUI thread; rows with problems are shown before anything is stored."""
        self.status.setText(f"正在读取《{path.name}》…")
        run_op(
            self.store,
            lambda _s: read_question_rows(path),
            on_done=lambda sheet: self._checked(path, bank_code, sheet),
            on_error=self._failed,
        )

    def _checked(self, path: Path, bank_code: str, sheet: SheetResult) -> None:
        if sheet.problems:
            dialog = ImportProblemsDialog(path, sheet, self)
            self.problems_dialog = dialog
            if not dialog.exec():
                self.status.setText(f"未导入：《{path.name}》有 {len(sheet.problems)} 行问题。")
                return
        questions = [q for _row, q in sheet.questions]

        def store_rows(session: Session) -> BankImport:
            bank = session.exec(select(QuestionBank).where(QuestionBank.code == bank_code)).first()
            if bank is None:
                bank = create_bank(session, code=bank_code, title=path.stem, industry="通用")
            return add_questions(session, bank_id=bank.id, questions=questions)

        def done(result: BankImport) -> None:
            self._notice = (
                f"已导入 {result.added} 道题到“{result.code}”，{result.skipped_duplicates} 道已在题库中未重复导入。"
            )
            self.refresh()

        run_write(self.store, store_rows, on_done=done, on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.status.setText(f"导入失败：{user_message(exc)}")
        self.failed.emit(user_message(exc))
