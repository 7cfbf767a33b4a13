"""Dialogs of the inspection workflow: starting an inspection and editing a finding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector import clock
from inspector.domain.enums import FindingMeasure, HazardGrade, InspectionMode
from inspector.domain.rules import MIN_INSPECTORS


def lay_out_form(
    dialog: QDialog, form: QFormLayout, *, ok_text: str, on_ok: Callable[[], None], cancel_text: str = ""
) -> QLabel:
    """The form, a line for what is wrong with it, and OK/Cancel; returns the error line."""
    error = QLabel()
    error.setObjectName("formError")
    error.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    if cancel_text:
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return error


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    detail: str = ""  # e.g. the enterprise's industry, used to pick the default checklist


@dataclass
class StartRequest:
    """What the start dialog hands to the service."""

    enterprise_id: str
    mode: InspectionMode
    inspector_ids: list[str]
    started_at: datetime
    place: str
    purpose: str
    template_id: str | None
    person_name: str
    person_post: str
    person_phone: str
    witness: str
    experts: str
    latitude: float | None
    longitude: float | None
    unannounced_facts: tuple[bool, bool, bool]
    task_id: str | None = None
    review_of_inspection_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class StartInspectionDialog(QDialog):
    """Arrival on site: who, where, when, how — keyboard friendly, every field reachable with Tab."""

    def __init__(
        self,
        *,
        enterprises: list[Choice],
        inspectors: list[Choice],
        templates: list[Choice],
        default_template_by_industry: dict[str, str],
        preset_enterprise_id: str | None = None,
        preset_mode: InspectionMode = InspectionMode.UNANNOUNCED,
        preset_inspector_ids: list[str] | None = None,
        preset_purpose: str = "",
        task_id: str | None = None,
        review_of_inspection_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("StartInspectionDialog")
        self.setWindowTitle("复查（现场）" if review_of_inspection_id else "开始现场检查")
        self.task_id = task_id
        self.review_of_inspection_id = review_of_inspection_id
        self._default_templates = default_template_by_industry
        form = QFormLayout()

        self.enterprise = QComboBox()
        self.enterprise.setEditable(True)  # type to find: the completer matches anywhere in the name
        self.enterprise.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.enterprise.completer()
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        for e in enterprises:
            self.enterprise.addItem(e.label, e.id)
            self.enterprise.setItemData(self.enterprise.count() - 1, e.detail, Qt.ItemDataRole.UserRole + 1)
        form.addRow("被检查单位", self.enterprise)

        self.mode = QComboBox()
        for mode in InspectionMode:
            self.mode.addItem(mode.value, mode)
        form.addRow("检查方式", self.mode)

        self.inspectors = QListWidget()
        self.inspectors.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for i in inspectors:
            item = QListWidgetItem(f"{i.label}（执法证号 {i.detail}）")
            item.setData(Qt.ItemDataRole.UserRole, i.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.inspectors.addItem(item)
        self.inspectors.setMaximumHeight(130)
        self._check_order: list[str] = []  # the first checked is the one in charge (主办)
        self.inspectors.itemChanged.connect(self._inspector_toggled)
        form.addRow(f"执法人员（至少{MIN_INSPECTORS}名，先勾选者为主办）", self.inspectors)

        # The inspector works in Beijing time whatever the laptop's zone is set to.
        self.started_at = QDateTimeEdit(QDateTime(clock.to_local(clock.now()).replace(tzinfo=None, microsecond=0)))
        self.started_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.started_at.setCalendarPopup(True)
        form.addRow("到达时间", self.started_at)
        self.place = QLineEdit()
        self.place.setPlaceholderText("检查场所，如：井下15采区、中央变电所")
        form.addRow("检查场所", self.place)
        self.purpose = QLineEdit(preset_purpose or "检查企业安全生产法律法规执行情况及重大事故隐患排查整治情况。")
        form.addRow("事由和目的", self.purpose)
        self.template = QComboBox()
        self.template.addItem("（不使用检查表）", None)
        for t in templates:
            self.template.addItem(t.label, t.id)
        form.addRow("检查表", self.template)

        person = QHBoxLayout()
        self.person_name = QLineEdit()
        self.person_name.setPlaceholderText("姓名")
        self.person_post = QLineEdit()
        self.person_post.setPlaceholderText("职务")
        self.person_phone = QLineEdit()
        self.person_phone.setPlaceholderText("联系电话")
        for line in (self.person_name, self.person_post, self.person_phone):
            person.addWidget(line)
        form.addRow("现场负责人", person)
        self.witness = QLineEdit()
        form.addRow("见证人（可选）", self.witness)
        self.experts = QLineEdit()
        form.addRow("检查专家（可选）", self.experts)

        gps = QHBoxLayout()
        self.use_gps = QCheckBox("填写位置")
        self.latitude = QDoubleSpinBox()
        self.latitude.setRange(-90, 90)
        self.latitude.setDecimals(6)
        self.longitude = QDoubleSpinBox()
        self.longitude.setRange(-180, 180)
        self.longitude.setDecimals(6)
        for gps_widget in (self.use_gps, QLabel("纬度"), self.latitude, QLabel("经度"), self.longitude):
            gps.addWidget(gps_widget)
        form.addRow("GPS", gps)

        facts = QHBoxLayout()
        self.no_notice = QCheckBox("不发通知、不打招呼")
        self.no_escort = QCheckBox("不听汇报、不用陪同接待")
        self.straight = QCheckBox("直奔基层、直插现场")
        for box in (self.no_notice, self.no_escort, self.straight):
            facts.addWidget(box)
        form.addRow("四不两直", facts)

        self.error = lay_out_form(self, form, ok_text="开始检查", on_ok=self._accept)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.enterprise.currentIndexChanged.connect(self._enterprise_changed)
        if preset_enterprise_id:
            self.enterprise.setCurrentIndex(max(0, self.enterprise.findData(preset_enterprise_id)))
        self.mode.setCurrentIndex(self.mode.findData(preset_mode))
        self._mode_changed()
        self._enterprise_changed()
        for inspector_id in preset_inspector_ids or []:
            self.check_inspector(inspector_id)
        if review_of_inspection_id:
            self.enterprise.setEnabled(False)
            self.mode.setEnabled(False)
            self.template.setCurrentIndex(0)
            self.template.setEnabled(False)

    def check_inspector(self, inspector_id: str) -> None:
        for row in range(self.inspectors.count()):
            item = self.inspectors.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == inspector_id:
                item.setCheckState(Qt.CheckState.Checked)

    def _mode_changed(self) -> None:
        unannounced = self.mode.currentData() == InspectionMode.UNANNOUNCED
        for box in (self.no_notice, self.no_escort, self.straight):
            box.setChecked(unannounced)

    def _enterprise_changed(self) -> None:
        industry = self.enterprise.currentData(Qt.ItemDataRole.UserRole + 1)
        template_id = self._default_templates.get(str(industry or ""))
        if template_id and not self.review_of_inspection_id:
            self.template.setCurrentIndex(max(0, self.template.findData(template_id)))
        if not self.place.text():
            self.place.setPlaceholderText("检查场所（默认为单位地址）")

    def _inspector_toggled(self, item: QListWidgetItem) -> None:
        inspector_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            if inspector_id not in self._check_order:
                self._check_order.append(inspector_id)
        elif inspector_id in self._check_order:
            self._check_order.remove(inspector_id)

    def checked_inspectors(self) -> list[str]:
        """Checked inspectors in the order they were checked."""
        return list(self._check_order)

    def _accept(self) -> None:
        if self.enterprise.currentIndex() < 0 or self.enterprise.findText(self.enterprise.currentText()) < 0:
            self.error.setText("请选择被检查单位。")
            return
        if len(self.checked_inspectors()) < MIN_INSPECTORS:
            self.error.setText(f"现场检查须由不少于{MIN_INSPECTORS}名持有执法证的执法人员进行，请勾选执法人员。")
            return
        self.accept()

    def request(self) -> StartRequest:
        started = self.started_at.dateTime().toPython()
        assert isinstance(started, datetime)
        return StartRequest(
            enterprise_id=str(self.enterprise.currentData()),
            mode=InspectionMode(self.mode.currentData()),
            inspector_ids=self.checked_inspectors(),
            started_at=started.replace(tzinfo=clock.CHINA_TZ),
            place=self.place.text().strip(),
            purpose=self.purpose.text().strip(),
            template_id=self.template.currentData(),
            person_name=self.person_name.text().strip(),
            person_post=self.person_post.text().strip(),
            person_phone=self.person_phone.text().strip(),
            witness=self.witness.text().strip(),
            experts=self.experts.text().strip(),
            latitude=self.latitude.value() if self.use_gps.isChecked() else None,
            longitude=self.longitude.value() if self.use_gps.isChecked() else None,
            unannounced_facts=(self.no_notice.isChecked(), self.no_escort.isChecked(), self.straight.isChecked()),
            task_id=self.task_id,
            review_of_inspection_id=self.review_of_inspection_id,
        )


@dataclass
class FindingEdit:
    description: str
    grade: HazardGrade
    basis: str
    measure: FindingMeasure
    deadline: date | None


class FindingDialog(QDialog):
    """Edit the wording and the handling of one finding (or write a new one not on any checklist)."""

    def __init__(self, edit: FindingEdit, *, title: str = "编辑隐患", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindingDialog")
        self.setWindowTitle(title)
        self.resize(640, 420)
        form = QFormLayout()
        self.description = QPlainTextEdit(edit.description)
        self.description.setTabChangesFocus(True)
        form.addRow("隐患描述", self.description)
        self.grade = QComboBox()
        for g in HazardGrade:
            self.grade.addItem(g.value, g)
        self.grade.setCurrentIndex(self.grade.findData(edit.grade))
        form.addRow("隐患等级", self.grade)
        self.basis = QLineEdit(edit.basis)
        self.basis.setPlaceholderText("《法规/标准》（文号）第X条第（Y）项")
        form.addRow("依据", self.basis)
        self.measure = QComboBox()
        for m in FindingMeasure:
            self.measure.addItem(m.value, m)
        self.measure.setCurrentIndex(self.measure.findData(edit.measure))
        form.addRow("处理措施", self.measure)
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDate(QDate(edit.deadline) if edit.deadline else QDate.currentDate().addDays(15))
        form.addRow("整改期限", self.deadline)
        self.error = lay_out_form(self, form, ok_text="保存", on_ok=self._accept)
        self.measure.currentIndexChanged.connect(self._measure_changed)
        self._measure_changed()

    def _measure_changed(self) -> None:
        self.deadline.setEnabled(FindingMeasure(self.measure.currentData()).needs_deadline)

    def _accept(self) -> None:
        edit = self.value()
        if not edit.description:
            self.error.setText("隐患描述不能为空。")
            return
        if edit.grade is HazardGrade.MAJOR and edit.measure is FindingMeasure.CORRECTED_ON_SITE:
            self.error.setText("重大事故隐患不能按“当场改正”处理，须整改后经现场复查销号。")
            return
        self.accept()

    def value(self) -> FindingEdit:
        measure = FindingMeasure(self.measure.currentData())
        deadline = self.deadline.date().toPython() if measure.needs_deadline else None
        assert deadline is None or isinstance(deadline, date)
        return FindingEdit(
            description=self.description.toPlainText().strip(),
            grade=HazardGrade(self.grade.currentData()),
            basis=self.basis.text().strip(),
            measure=measure,
            deadline=deadline,
        )
